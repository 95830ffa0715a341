"""GuessesInFlight: what a login adds to the database's failure counts."""

from server.services.guesses import GuessesInFlight, InFlight

A, B = "192.0.2.1", "198.51.100.2"


def test_passwords_being_checked_count_per_account_address_and_pair():
    guesses = GuessesInFlight()
    for username, address, password in [
        ("alice", A, "one"),
        ("alice", B, "two"),
        ("bob", A, "three"),
    ]:
        guesses.begin(username, address, password).check()
    assert guesses.begin("alice", A, "four").others() == InFlight(2, 2, 1)
    assert guesses.begin("carol", B, "five").others() == InFlight(0, 1, 0)


def test_one_password_sent_by_many_calls_at_once_is_one_guess():
    guesses = GuessesInFlight()
    for _ in range(5):
        guesses.begin("alice", A, "one").check()
    guesses.begin("alice", A, "two").check()
    assert guesses.begin("alice", A, "one").others() == InFlight(1, 1, 1)
    assert guesses.begin("alice", A, "three").others() == InFlight(2, 2, 2)


def test_a_guess_ended_is_no_longer_counted_unless_it_failed_during_the_read():
    guesses = GuessesInFlight()
    before = guesses.begin("alice", A, "one")
    before.check()
    before.fail()  # committed before the next read began: that read sees it in the database
    reading = guesses.begin("alice", B, "two")
    good, bad = guesses.begin("alice", A, "three"), guesses.begin("alice", A, "four")
    good.check()
    bad.check()
    assert reading.others() == InFlight(2, 0, 0)
    good.end()  # a correct password: nothing to count
    bad.fail()  # committed while the read ran: that read may have missed it
    assert reading.others() == InFlight(1, 0, 0)


def test_nothing_is_kept_once_every_login_ended():
    guesses = GuessesInFlight()
    started = [guesses.begin("alice", address, "one") for address in (A, B)]
    for guess in started:
        guess.check()
    started[0].fail()
    started[1].end()
    started[1].end()  # twice is once
    guesses.begin("bob", A, "two").end()  # ended before its check
    assert guesses._entries == {}

"""Prepared statements on SQLite's driver answer exactly what SQLAlchemy's execution does."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError, NoResultFound

from server.auth import RepositoryName
from server.composition import AppState
from server.errors import TooManyFailedLogins
from server.services import logins, repositories
from server.services.logins import LoginThrottle
from server.services.repositories import ImageRecord
from server.storage.prepared import Plan, Rows, is_prepared
from server.storage.tables import KnownLoginAddress, LoginFailure, User

pytestmark = pytest.mark.anyio

NAME = RepositoryName("alice", "prepared")
SINCE = datetime.now(UTC) - timedelta(hours=1)


async def _seed(state: AppState) -> None:
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.create("alice", "alice@example.com", "password1", admin=True)
        await services.repositories.create(
            NAME, [ImageRecord("b" * 64, "sha256:1"), ImageRecord("a" * 64)]
        )
        for _ in range(2):
            await services.logins.record_failure("alice", "192.0.2.1")
    async with state.database.unit_of_work(writes=True) as session:
        failed_at = datetime.now(UTC) - timedelta(minutes=30)
        failure = {"username": "alice", "address": "192.0.2.9", "failed_at": failed_at}
        await session.execute(insert(LoginFailure.__table__), failure)
        digest = logins._digest(await session.scalar(select(User.password_hash)))
        known = {"username": "alice", "address": "192.0.2.9", "password_digest": digest}
        await session.execute(
            insert(KnownLoginAddress.__table__), {**known, "last_success_at": failed_at}
        )


@pytest.mark.parametrize(
    ("statement", "parameters"),
    [
        (logins._ATTEMPT, {"username": "alice", "address": "192.0.2.9", "since": SINCE}),
        (logins._ATTEMPT, {"username": "nobody", "address": "192.0.2.7", "since": SINCE}),
        (repositories._IMAGES, {"namespace": "alice", "name": "prepared"}),
        (repositories._IMAGES, {"namespace": "alice", "name": "missing"}),
    ],
    ids=["attempt", "attempt-of-no-one", "images", "images-of-no-repository"],
)
async def test_rows_and_their_types_are_sqlalchemy_s(sqlite_state: AppState, statement, parameters):
    await _seed(sqlite_state)
    assert is_prepared(statement)
    engine = sqlite_state.database.engine
    with engine.connect() as connection:
        expected = [tuple(row) for row in connection.execute(statement, parameters)]
        plan = Plan(statement, engine.dialect)
        got = plan.run(connection.connection.driver_connection, parameters).all()
    assert got == expected
    assert [[type(value) for value in row] for row in got] == [
        [type(value) for value in row] for row in expected
    ]
    if statement is logins._ATTEMPT and parameters["username"] == "alice":
        assert isinstance(got[0][1], datetime)  # the oldest failure, converted from text
        assert got[0][-2:] == (True, True)  # is_active, is_admin: booleans, not 1 and 0
        assert isinstance(got[0][7], datetime)  # the known address's last login, likewise


async def test_an_executemany_counts_the_rows_it_wrote(sqlite_state: AppState):
    await _seed(sqlite_state)
    upsert = repositories._UPSERTS["sqlite"].images
    assert is_prepared(upsert)
    rows = [
        {"namespace": "alice", "name": "prepared", "image_id": image, "checksum": None}
        for image in ("a" * 64, "c" * 64)
    ]
    missing = [{**row, "name": "missing"} for row in rows]
    engine = sqlite_state.database.engine
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        plan = Plan(upsert, engine.dialect)
        assert plan.run(driver, rows).rowcount == 2  # one updated, one inserted
        assert plan.run(driver, missing).rowcount == 0  # no repository to write to
        connection.rollback()


async def test_a_database_error_is_sqlalchemy_s(sqlite_state: AppState):
    await _seed(sqlite_state)
    engine = sqlite_state.database.engine
    with engine.connect() as connection:
        failures = LoginFailure.__table__
        columns = {name: bindparam(name) for name in ("username", "address", "failed_at")}
        plan = Plan(insert(failures).values(**columns), engine.dialect)
        with pytest.raises(IntegrityError):  # failed_at is NOT NULL
            plan.run(
                connection.connection.driver_connection,
                {"username": "alice", "address": "192.0.2.1", "failed_at": None},
            )


async def test_the_services_answer_the_same_through_prepared_statements(sqlite_state: AppState):
    await _seed(sqlite_state)
    async with sqlite_state.unit_of_work(writes=True) as services:
        await services.repositories.put_images(NAME, [ImageRecord("a" * 64, "sha256:2")])
        images = await services.repositories.images(NAME)
        attempt = await services.logins.attempt("alice", "192.0.2.1")
    assert images == [ImageRecord("a" * 64, "sha256:2"), ImageRecord("b" * 64, "sha256:1")]
    assert (attempt.quiet, attempt.success_to_record) == (False, True)  # failures to clear
    known = await services_attempt(sqlite_state, "alice", "192.0.2.9")
    assert (known.quiet, known.success_to_record) == (False, False)  # known, lately
    # Its 2 failures in the window (the one of 30 minutes ago is past it) reach a limit of 2.
    async with sqlite_state.unit_of_work(writes=False) as services:
        for limit in (3, 2):
            throttle = LoginThrottle(
                services._session, per_account=0, per_address=limit, window=timedelta(hours=1)
            )
            try:
                throttle.enforce(await throttle.attempt("nobody", "192.0.2.1"))
            except TooManyFailedLogins:
                assert limit == 2
            else:
                assert limit == 3
    assert attempt.account is not None
    assert (attempt.account.username, attempt.account.is_admin, attempt.active) == (
        "alice",
        True,
        True,
    )


async def services_attempt(state: AppState, username: str, address: str) -> logins.LoginAttempt:
    async with state.unit_of_work(writes=False) as services:
        return await services.logins.attempt(username, address)


def test_one_wants_exactly_one_row():
    assert Rows([(1,)], 1).one() == (1,)
    with pytest.raises(NoResultFound):
        Rows([], 0).one()
    with pytest.raises(Exception, match="Multiple rows"):
        Rows([(1,), (2,)], 2).one()

"""The benchmark's data set: deterministic repositories, the benchmark user and its images.

Every size draws from the same distribution, so that search latency can be compared across
sizes: 20 repositories per namespace, names and descriptions made of words from a fixed
vocabulary of 1,000 pseudo-words (a query term matches about 0.5% of the repositories).
"""

import hashlib
import json
from collections.abc import Iterator

VOCABULARY_SIZE = 1000
REPOSITORIES_PER_NAMESPACE = 20
_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"
_MASK64 = (1 << 64) - 1


def _vocabulary() -> tuple[str, ...]:
    """1,000 distinct consonant-vowel words of three syllables, in a fixed order."""
    syllables = [c + v for c in _CONSONANTS for v in _VOWELS]
    words: dict[str, None] = {}
    step = 0
    while len(words) < VOCABULARY_SIZE:
        n = _mix(step)
        step += 1
        word = "".join(syllables[(n >> shift) % len(syllables)] for shift in (0, 12, 24))
        words.setdefault(word, None)
    return tuple(words)


def _mix(n: int) -> int:
    """A 64-bit integer hash (splitmix64): fast, deterministic, well spread."""
    n = (n + 0x9E3779B97F4A7C15) & _MASK64
    n = ((n ^ (n >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    n = ((n ^ (n >> 27)) * 0x94D049BB133111EB) & _MASK64
    return n ^ (n >> 31)


WORDS = _vocabulary()
# The search scenario rotates through these (a result cache would see them all).
QUERY_TERMS = WORDS[:16]

BENCH_USER = "benchuser"
BENCH_PASSWORD = "bench-password"  # noqa: S105 - a throwaway account in a throwaway database
BENCH_EMAIL = "benchuser@example.com"
READ_REPOSITORY = "bench"  # benchuser/bench: 100 images, listed by GET .../images
WRITE_REPOSITORY = "pushed"  # benchuser/pushed: 100 images, merged into by PUT .../images
IMAGES_PER_REPOSITORY = 100


def repositories(count: int) -> Iterator[tuple[int, str, str, str]]:
    """``(id, namespace, name, description)`` of ``count`` repositories, ids 1..count."""
    words = WORDS
    size = VOCABULARY_SIZE
    per_namespace = REPOSITORIES_PER_NAMESPACE
    for i in range(count):
        n = _mix(i)
        ns = i // per_namespace
        namespace = f"{words[_mix(ns + 0x5EED) % size]}{ns}"
        name = f"{words[n % size]}-{words[(n >> 10) % size]}-{i % per_namespace}"
        description = (
            f"The {words[(n >> 20) % size]} {words[(n >> 30) % size]} service,"
            f" built with {words[(n >> 40) % size]}."
        )
        yield i + 1, namespace, name, description


def image_id(repository: str, k: int) -> str:
    return hashlib.sha256(f"{repository}/{k}".encode()).hexdigest()


def images(repository: str) -> list[tuple[str, str]]:
    """``(image id, checksum)`` of the images recorded for a benchmark repository."""
    return [
        (image_id(repository, k), "sha256:" + hashlib.sha256(f"layer {k}".encode()).hexdigest())
        for k in range(IMAGES_PER_REPOSITORY)
    ]


def put_images_body() -> bytes:
    """What each PUT .../images of the write scenario sends: one known id, with its checksum."""
    image, checksum = images(WRITE_REPOSITORY)[0]
    return json.dumps([{"id": image, "checksum": checksum}]).encode()

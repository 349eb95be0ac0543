"""Counter-based randomness (docs/model.md section 6): reference values, scalars and arrays,
order."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.rng import Stream, day_prefix, key, prefix, uniform, uniform_fields, uniform_from
from sim.rng_kernel import batch_head


def test_reference_values_of_the_spec():
    assert key(42, 0, 0, 0, 0, 0, 0, 0) == 0xEAA3AE5191AF41A1
    assert key(42, 3, 0, 17, 2, 0, 12345, 0) == 0x95DAF819A47C02F6
    assert uniform(42, 3, 0, 17, 2, 0, 12345, 0) == 0.5853724539378931
    assert key(7, 5, 1, 364, 0, 1, 999999, 3) == 0xE9E318FEBA92713F


def test_streams_are_numbered_in_the_spec_order():
    assert [stream.name for stream in Stream] == [
        *("GRAPH", "TRAITS", "BRAND", "ONLINE", "EXPOSURE", "RESPONSE", "LISTENING"),
        *("CASCADE", "ADVOCACY", "OUTREACH", "CHURN", "CONVERSION", "SATISFACTION", "INCIDENTS"),
    ]
    assert [stream.value for stream in Stream] == list(range(14))  # distinct: no aliases


@given(
    seed=st.integers(0, 2**63 - 1),
    day=st.integers(0, 10**5),
    people=st.lists(st.integers(0, 10**8), min_size=1, max_size=50),
)
def test_array_draws_equal_scalar_draws_whatever_the_order(seed, day, people):
    head = prefix(seed, Stream.RESPONSE, 1, day, 3, 0)
    as_array = uniform_from(head, np.array(people), 2)
    for person, value in zip(people, as_array, strict=True):
        assert uniform(seed, Stream.RESPONSE, 1, day, 3, 0, person, 2) == value
    reversed_draws = uniform_from(head, np.array(people[::-1]), 2)
    assert np.array_equal(reversed_draws[::-1], as_array)


def test_uniform_fields_completes_the_key():
    head = day_prefix(5, Stream.LISTENING, 0, 9)
    assert uniform_fields(head, 4, 2, 77, 1) == uniform(5, Stream.LISTENING, 0, 9, 4, 2, 77, 1)


def test_short_prefixes_still_hash_every_field():
    """Unused fields are 0 and are chained: a batch keyed up to the day is the full key."""
    head = prefix(11, Stream.CONVERSION, 0, 300)
    people = np.array([0, 5, 123456])
    expected = [uniform(11, Stream.CONVERSION, 0, 300, 0, 0, person, 0) for person in people]
    assert uniform_from(head, people).tolist() == expected


def test_draws_are_uniform_and_different_seeds_differ():
    people = np.arange(200_000)
    first = uniform_from(prefix(1, Stream.ONLINE, 0, 0), people)
    second = uniform_from(prefix(2, Stream.ONLINE, 0, 0), people)
    assert first.min() >= 0.0 and first.max() < 1.0
    assert abs(first.mean() - 0.5) < 0.005
    assert np.histogram(first, bins=10)[0].min() > 19_000
    assert not np.array_equal(first, second)
    assert abs(np.corrcoef(first, second)[0, 1]) < 0.01


FIELD = st.integers(-(2**31), 2**40)


@given(
    seed=st.integers(0, 2**63 - 1),
    stream=st.sampled_from(list(Stream)),
    day=st.integers(0, 10**5),
    fields=st.tuples(FIELD, FIELD, FIELD, FIELD),
)
def test_compiled_single_draws_equal_the_python_definition(seed, stream, day, fields):
    """A single ``uniform`` and a batch's head are compiled; they must equal the key hashed in
    Python integers, negative fields (two's complement) included."""
    post, hop, person, slot = fields
    expected = uniform_from(prefix(seed, stream, 1, day, post, hop), person, slot)
    assert uniform(seed, stream, 1, day, post, hop, person, slot) == expected
    compiled_head = batch_head(np.uint64(day_prefix(seed, stream, 1, day)), post, hop)
    assert compiled_head == prefix(seed, stream, 1, day, post, hop)

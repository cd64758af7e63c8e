"""The freshness rule every cache follows: a recorded signature vouches for a file only when
it is the file's signature now and the file was not modified within the racy window."""

from __future__ import annotations

import os
import time

import pytest

from archguard.adapters.freshness import RACY_SECONDS, file_signature, is_fresh, settled

SECOND = 1_000_000_000
WRITTEN = 1_700_000_000 * SECOND
OLD = WRITTEN - 100 * SECOND


def test_an_equal_signature_outside_the_racy_window_is_fresh():
    assert is_fresh([OLD, 120], (OLD, 120), WRITTEN)
    assert is_fresh((OLD, 120), (OLD, 120), WRITTEN)


@pytest.mark.parametrize("before", [0, 1, SECOND // 2, RACY_SECONDS * SECOND - 1])
def test_an_equal_signature_inside_the_racy_window_is_stale(before):
    mtime = WRITTEN - before
    assert not is_fresh([mtime, 120], (mtime, 120), WRITTEN)


def test_the_racy_window_ends_exactly_racy_seconds_before_the_record():
    edge = WRITTEN - RACY_SECONDS * SECOND
    assert not settled(edge, WRITTEN)
    assert settled(edge - 1, WRITTEN)
    assert is_fresh([edge - 1, 1], (edge - 1, 1), WRITTEN)


def test_a_file_modified_after_the_record_is_stale():
    later = WRITTEN + 5 * SECOND
    assert not is_fresh([later, 120], (later, 120), WRITTEN)


@pytest.mark.parametrize("current", [(OLD, 121), (OLD, 119), (OLD + 1, 120), (OLD - 1, 120)])
def test_a_changed_size_or_modification_time_is_stale(current):
    assert not is_fresh([OLD, 120], current, WRITTEN)


@pytest.mark.parametrize("recorded", [None, [], [OLD], [OLD, 120, 0], "ab", {0: OLD, 1: 120},
                                      [str(OLD), 120], [OLD, None]])
def test_a_malformed_record_is_stale(recorded):
    assert not is_fresh(recorded, (OLD, 120), WRITTEN)


def test_a_files_signature_is_its_modification_time_and_size(tmp_path):
    path = tmp_path / "module.py"
    path.write_text("x = 1\n")
    os.utime(path, ns=(OLD, OLD))
    assert file_signature(path) == (OLD, 6)


def test_a_file_just_written_is_not_trusted_by_a_record_written_now(tmp_path):
    path = tmp_path / "module.py"
    path.write_text("x = 1\n")
    signature = file_signature(path)
    assert not is_fresh(list(signature), signature, time.time_ns())

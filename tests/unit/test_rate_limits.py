from helpdesk.adapters.rate_limits import InMemoryWindow


def test_a_moving_window_per_person():
    window = InMemoryWindow(3, 10.0)
    assert [window.hit(("r", "a"), t) for t in (0.0, 1.0, 2.0, 3.0)] == [True, True, True, False]
    assert window.hit(("r", "b"), 3.0)  # another person has their own window
    assert not window.hit(("r", "a"), 9.9)  # refused hits do not count, the oldest is still in
    assert window.hit(("r", "a"), 10.0)  # the hit at 0.0 left the window
    assert not window.hit(("r", "a"), 10.5)


def test_people_gone_quiet_are_forgotten():
    window = InMemoryWindow(2, 10.0)
    window.hit(("r", "a"), 0.0)
    window.hit(("r", "b"), 5.0)
    window.purge(12.0)
    assert list(window.hits) == [("r", "b")]


def test_testing_does_not_count():
    window = InMemoryWindow(1, 10.0)
    assert window.test(("a",), 0.0) and window.test(("a",), 0.0)
    assert window.hit(("a",), 0.0)
    assert not window.test(("a",), 5.0)
    assert window.test(("a",), 10.0)


def test_only_the_hits_still_in_the_window_are_kept():
    window = InMemoryWindow(30, 10.0)  # the room's rule: most people send far fewer
    for t in (0.0, 1.0, 2.0):
        window.hit(("r", "a"), t)
    assert window.hit(("r", "a"), 11.5)
    assert window.hits[("r", "a")] == [2.0, 11.5]


def test_quiet_people_are_forgotten_once_a_window_has_passed():
    window = InMemoryWindow(30, 10.0)
    window.hit(("r", "a"), 0.0)
    window.hit(("r", "b"), 9.0)
    assert set(window.hits) == {("r", "a"), ("r", "b")}
    window.hit(("r", "c"), 10.0)  # anyone's hit a window after the last purge purges
    assert set(window.hits) == {("r", "b"), ("r", "c")}

from workflows.lru import Lru


def test_computes_once_per_key_and_keeps_the_newest() -> None:
    cache: Lru[int] = Lru(size=2)
    calls: list[str] = []

    def compute(key: str) -> int:
        calls.append(key)
        return len(calls)

    assert cache.get_or_compute("a", lambda: compute("a")) == 1
    assert cache.get_or_compute("a", lambda: compute("a")) == 1
    cache.get_or_compute("b", lambda: compute("b"))
    cache.get_or_compute("a", lambda: compute("a"))  # a is now the newest
    cache.get_or_compute("c", lambda: compute("c"))  # evicts b
    assert cache.get_or_compute("b", lambda: compute("b")) == 4
    assert calls == ["a", "b", "c", "b"]
    assert len(cache) == 2

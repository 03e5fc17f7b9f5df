"""Knowledge-base search speed: build the index, then answer suggestion queries.

    python bench/guidance_search.py [articles]

Compares the ranked search (folding, stemming, BM25, prefixes) with the bare floor: a plain
case-insensitive substring scan over the same texts, which understands no Arabic spelling variant.
Goal: a suggestion (5 best of 1,000 articles) well under 5 ms, so the widget can ask as people type.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpdesk.domain.guidance import SearchDocument, SearchIndex
from helpdesk.services.guidance_seed import ARTICLES

QUERIES = [
    "نسيت كلمه السر",
    "الشهاده",
    "المايك لا يعمل",
    "تسج",
    "forgot password",
    "certificate name wrong",
    "لا اسمع الصوت في القاعه",
    "cannot join the live session",
]


def documents(count: int) -> list[SearchDocument]:
    docs = []
    for key in range(count):
        _slug, _cat, title_ar, title_en, body_ar, body_en, keywords = ARTICLES[key % len(ARTICLES)]
        # vary each copy so that the vocabulary grows as a real collection's does
        docs.append(
            SearchDocument(
                key, f"{title_ar} {title_en} {key}", f"{body_ar} {body_en} ref{key}", keywords
            )
        )
    return docs


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    docs = documents(count)
    build = timed(lambda: SearchIndex(docs), 3)
    index = SearchIndex(docs)
    ranked = [s for q in QUERIES for s in timed(lambda q=q: index.rank(q, 5), 50)]
    texts = [f"{d.title} {d.body} {d.keywords}".casefold() for d in docs]
    bare = [
        s
        for q in QUERIES
        for s in timed(lambda q=q: [i for i, t in enumerate(texts) if q.casefold() in t][:5], 50)
    ]

    def line(name, samples):
        p99 = statistics.quantiles(samples, n=100)[98]
        print(f"  {name:<34} p50 {statistics.median(samples):8.3f} ms   p99 {p99:8.3f} ms")

    print(f"{count} articles")
    print(f"  build the index                    {min(build):8.1f} ms")
    line("ranked search (5 best)", ranked)
    line("bare substring scan (no folding)", bare)


if __name__ == "__main__":
    main()

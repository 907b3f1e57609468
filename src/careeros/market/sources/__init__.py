"""Job-posting sources: raw records as landed, parsed into one :class:`ParsedPosting` per role.

Every source implements :class:`PostingSource`:

- ``name`` (short id used in ``posting_id = f"{source}:{source_record_id}:{role_index}"``) and ``version``
  (bump when the parser's output changes, so re-parsing can be traced);
- ``iter_raw()`` yields :class:`RawRecord` items (the record exactly as landed as JSON text, its SHA-256,
  the source file and that file's SHA-256); ``iter_batches(n)`` groups them for batch processing;
- ``parse(raw)`` turns one raw record into postings and may raise; ``parse_batch(raws)`` never raises and
  turns each failure into a :class:`Rejected` item with the reason.

File sources here: :mod:`.hn` (HN "Who is hiring?"), :mod:`.linkedin` (LinkedIn 2023 CSVs), :mod:`.usajobs`
(USAJOBS JSONL/parquet) and :mod:`.generic` (a user feed, schema in ``docs/postings-feed.md``).

Adding an online connector (HN Algolia API, USAJOBS Search API, Greenhouse/Lever/Ashby boards):

1. subclass :class:`PostingSource` with a new ``name``; take the HTTP client (or a fetch function) and any
   cursor (``since`` timestamp, page token) in ``__init__`` so tests can pass a fake fetcher and no network
   call happens in the package's pure code;
2. in ``iter_raw`` page through the API and yield one ``RawRecord.make(name, item_id, json.dumps(item,
   sort_keys=True), source_file=<request URL or page id>, file_sha=<sha256 of the page body>)`` per item;
   serialise with sorted keys so an unchanged item keeps the same ``raw_sha256`` (landing then adds nothing);
3. in ``parse`` map the API's fields onto :class:`ParsedPosting`, reusing the helpers in :mod:`.parsing`
   (``parse_salary``/``annualise``, ``parse_location``, ``experience_from_title``, ``html_to_text``);
   for the HN API the item's ``text`` has the same HTML as the file, so ``hn.parse_hn_post`` applies as is;
4. register the source in the ingest flow; retries, rate limits and credentials (``SecretStr`` settings)
   belong to the flow/task layer, not here.
"""

from pathlib import Path

from careeros.market.sources.base import (
    POSTING_SCHEMA,
    RAW_SCHEMA,
    REJECTED_SCHEMA,
    ParsedPosting,
    ParseError,
    ParseResult,
    PostingSource,
    RawRecord,
    Rejected,
    batched,
    posting_id,
    postings_frame,
    raw_frame,
    rejected_frame,
)
from careeros.market.sources.generic import GenericFeedSource
from careeros.market.sources.hn import HNSource
from careeros.market.sources.linkedin import LinkedInSource
from careeros.market.sources.usajobs import USAJobsSource


def bundled_sources(datasets: Path) -> list[PostingSource]:
    """The file sources over the bundled datasets folder (HN, LinkedIn, USAJOBS)."""
    root = Path(datasets)
    return [
        HNSource.from_datasets(root),
        LinkedInSource.from_datasets(root),
        USAJobsSource.from_datasets(root),
    ]


__all__ = [
    "POSTING_SCHEMA",
    "RAW_SCHEMA",
    "REJECTED_SCHEMA",
    "GenericFeedSource",
    "HNSource",
    "LinkedInSource",
    "ParseError",
    "ParseResult",
    "ParsedPosting",
    "PostingSource",
    "RawRecord",
    "Rejected",
    "USAJobsSource",
    "batched",
    "bundled_sources",
    "posting_id",
    "postings_frame",
    "raw_frame",
    "rejected_frame",
]

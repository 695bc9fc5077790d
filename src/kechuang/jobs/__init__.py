"""Background jobs: work that takes seconds (report packs, index rebuilds) runs outside the request.

A request records a :class:`~kechuang.jobs.models.Job` (its kind, parameters, who asked) in the application's
database and puts its id on a huey queue; a consumer runs it and records the outcome on the row, so every web
worker shows the same status (``/jobs/{id}``). The queue lives beside the data: a SQLite file next to an
embedded SQLite database, tables ``jobqueue_*`` in a PostgreSQL database (:mod:`kechuang.jobs.queue`). The
consumer runs inside each web process (``KECHUANG_JOB_THREADS`` threads, default 1) or, with 0 there, as
separate ``kechuang jobs worker`` processes.
"""

"""Operations on cases, one module per thing that happens (Zulip's `zerver/actions`).

Each operation runs in one database transaction that checks authority,
validates, writes the events, moves the case, opens the next tasks, appends to
the ledger and puts notifications in the outbox; if any part fails nothing is
kept. Rows are locked only through `loket.cases.locks`, case before task, so
concurrent acts on one case queue up and the loser sees the winner's result as
a ConflictError. A refused act (AuthorityError) leaves only an audit line,
written after the rollback. `loket.cases.services` re-exports the public ones.
"""

// Package hub is gametable's live core (CONTRACT.md sections 6 and 7): one
// Hub goroutine per live campaign owns that campaign's live state, applies
// commands to it under the game rules, persists them in PostgreSQL and
// fans the changes out to WebSocket connections as JSON merge patches.
//
// # Who owns what
//
//   - Registry (one per process) owns the map of running hubs and the index
//     of live connections (by user, login session and campaign), both
//     guarded by Registry.mu, and every goroutine of the package, counted
//     in Registry.wg so that Shutdown can wait for them.
//   - A Hub's run goroutine is the only reader and writer of its campaign's
//     live state (presence, the running combat, the live part of polls), of
//     the two views' documents and seqs, of the resume ring and of the set
//     of connections. No mutex guards game state: other goroutines reach
//     the hub through its channels join, leave and reqs (sent to by
//     connection goroutines and Registry methods, received only by run,
//     never closed; senders also select on done). Registry.Shutdown closes
//     stop; run closes done when it returns.
//   - The game rules (combat.go) are pure functions from a state and a
//     command to the next state, the effects to persist and the result.
//     State parts are copy-on-write, so a rejected command or a failed
//     transaction simply drops its result. view.go projects the state into
//     the GM view and the player view; mergepatch.go diffs two projections
//     into an RFC 7386 merge patch. protocol.go is the wire protocol: the
//     client envelope and its strict decoder, the command data and their
//     validation, and the server messages, each encoded once.
//
// # Goroutines per connection
//
// Registry.ServeConn runs in the HTTP handler's goroutine and becomes the
// connection's reader: it reads frames, answers malformed, invalid and
// throttled ones and pings itself, and hands commands to the hub. A writer
// goroutine (client.writeLoop) drains the connection's queue. The queue is
// bounded by bytes (Options.MaxQueueBytes, 1 MiB) and guarded by client.mu,
// which is held only to append or swap, never while writing; the hub's
// send never blocks, and a connection whose queue would overflow is
// dropped (closed with 1008, its socket cut if its write is stuck) while
// the others go on. The writer sends everything queued, up to 16 messages
// per frame as JSON Lines, in one write; it pings every 25 s from a short
// goroutine that closes the connection on a late pong. There is no timer
// per write: the registry's janitor cuts writes older than WriteTimeout.
//
// # Persist, then publish
//
// The hub takes the commands already queued (group commit, up to 64) and
// runs them in one transaction: for each, the rules run against the
// working state; the effects are written through the sqlc queries of
// queries/combat.sql and queries/live.sql, all scoped by the hub's
// campaign id, with relative changes (damage, healing) computed in SQL and
// checked against the rules' result, and turn changes guarded by the
// expected round and turn; each view's merge patch is computed once,
// gets the view's next seq and is appended to live_events; the outcome
// (ack with the seq and result per view, or the rule error) goes to
// live_commands for idempotency. Then CampaignLiveCommit stores the seqs,
// fenced by the hub's epoch, and the transaction commits. Only then does
// the hub adopt the new state and publish the patches in order, each
// encoded once and queued as the same bytes for every connection of its
// view. A command's patch is queued first for the connection that sent
// it, then its ack, then for the other connections: the sender gets the
// ack after the patch that carries it without waiting for the whole
// fan-out, and every connection still gets the patches in seq order.
// (After a failed batch the answers go out last, after the repair.) A
// failed write of one command rolls the batch back and runs its commands
// one per transaction; a database that disagrees with memory makes the
// hub reload from it and publish the difference; a fenced commit
// (another process took the campaign, or a commit of unknown outcome
// landed) stops the hub and its clients reconnect to a fresh one.
//
// Idempotency: a command id is remembered per (campaign, user, id) for ten
// minutes, in memory (up to 4096 per hub) and in live_commands; a retry
// gets the stored outcome and changes nothing.
//
// # Seq, epoch, presence and the event log
//
// Each view has its own seq, rising by one per patch of that view. When a
// hub loads a campaign (at the first connection, after an idle stop, after
// a restart), it gives it a new epoch (CampaignLiveLoad), which also
// fences off any other hub of the campaign; seqs keep counting from the
// values stored in campaigns. Within an epoch the hub keeps the last 1024
// patches per view in memory; a client that resumes with the current epoch
// and a seq in that window gets "resumed" and the missed patches, anyone
// else a snapshot.
//
// Presence (connections per user) is not persisted. Its changes are
// published as patches at most every 250 ms per view (a crowd connecting
// at once makes one patch); they take seqs like any patch, but are not
// logged, and campaigns' seqs catch up at the next committed command
// (CampaignLiveCommit writes absolute values, fenced by the values last
// stored). So live_events has gaps where presence patches were, and a
// command's logged patch may carry pending presence changes too. That is
// why a new hub always starts a new epoch: after a restart the log cannot
// replay presence (and changes made outside the hub, such as cascades of a
// member's removal, are not in it), so a resume across hubs would not
// rebuild the state a fresh snapshot shows. The log is the durable record
// of every committed change, kept to the last 1024 patches per view and
// 24 hours, for other processes and for audits; resumes are served from
// memory.
//
// # Using the package
//
// The HTTP layer authenticates, checks membership and accepts the
// WebSocket (with OriginPatterns), then calls Registry.ServeConn. Commands
// over HTTP go through Registry.Do, GET /combat through Registry.Snapshot;
// changes made in the database outside the hub are announced with
// Registry.Reload. CloseUser, CloseSession, CloseMember and CloseCampaign
// close sockets when access ends; Registry.Online tells who is connected
// (the members' "online" flag). Registry.Shutdown drains everything.
package hub

// Package http is gametable's HTTP front: the chi router, its middleware
// (request IDs, panic recovery, metrics, cross-site protection, sessions,
// campaign membership), the JSON handlers and the WebSocket upgrade that
// hands each live connection to the hub.
//
// This package shadows net/http on purpose; elsewhere it is imported as
// apphttp.
//
// Invariants:
//   - Every error reaches the client through writeError, which owns the
//     mapping from Go errors to the status codes and codes of CONTRACT.md
//     section 1. A 500 never shows err.Error() to the client; it is logged
//     with the request ID instead.
//   - Every response body is a type that implements responseBody, so a
//     database row can never be encoded by mistake.
//   - Handlers under /api/campaigns/{campaignId} get the campaign ID only
//     from the request context, set by the membership middleware.
package http

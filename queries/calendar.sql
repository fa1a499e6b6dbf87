-- The personal calendar feed (issue 5): each member may have one feed
-- token per campaign, stored as its SHA-256 in memberships.

-- name: MembershipCalendarTokenSet :execrows
-- MembershipCalendarTokenSet gives the member a new feed token hash; the
-- previous token stops working at once. 0 rows: not a member.
UPDATE memberships
SET calendar_token_hash = @token_hash::bytea
WHERE campaign_id = @campaign_id::uuid
    AND user_id = @user_id::uuid;

-- name: CalendarFeedGet :one
-- CalendarFeedGet authenticates a feed request: the member of this
-- campaign holding the token, with the campaign's name and zone.
-- ErrNotFound for an unknown or rotated token, or a token of another
-- campaign (the feed answers 404 to all three).
SELECT m.user_id, c.name, c.time_zone
FROM memberships m
JOIN campaigns c ON c.id = m.campaign_id
WHERE c.id = @campaign_id::uuid
    AND m.campaign_id = @campaign_id::uuid
    AND m.calendar_token_hash = @token_hash::bytea;

package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"gametable/db/dbtest"
)

// This file enforces the campaign-scope rule (STYLE.md section 4, layer 2):
// every query in queries/*.sql that mentions a table with a campaign_id
// column must filter on campaign_id = @campaign_id or insert @campaign_id,
// unless it carries a "-- unscoped: <reason>" line below its "-- name:"
// line. The campaigns table itself is the root of the scope: a query that
// mentions it must filter on id = @campaign_id.
//
// The check is textual on purpose: sqlc vet's CEL rules see only the
// rewritten SQL ($1, $2...), not parameter names. It reads one query at a
// time, so a query passes when it has the filter anywhere; reviewers still
// read joins. It is the floor, not the ceiling.

// rootTable is the table whose own id is the campaign id.
const rootTable = "campaigns"

// query is one sqlc query of queries/*.sql.
type query struct {
	file string
	name string
	text string // from its "-- name:" line up to the next one
}

var nameLine = regexp.MustCompile(`(?m)^--\s*name:\s*(\S+)`)

// splitQueries cuts a queries file into its sqlc queries. Text before the
// first "-- name:" line belongs to no query.
func splitQueries(file, src string) []query {
	locs := nameLine.FindAllStringSubmatchIndex(src, -1)
	out := make([]query, 0, len(locs))
	for i, loc := range locs {
		end := len(src)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		out = append(out, query{file: file, name: src[loc[2]:loc[3]], text: src[loc[0]:end]})
	}
	return out
}

var (
	unscopedLine = regexp.MustCompile(`(?mi)^\s*--\s*unscoped:(.*)$`)
	// sqlc.arg(campaign_id), sqlc.arg('campaign_id') and the narg forms are
	// rewritten to @name before string literals are blanked.
	sqlcArg    = regexp.MustCompile(`(?i)sqlc\.n?arg\(\s*'?([a-z_][a-z0-9_]*)'?\s*\)`)
	identifier = regexp.MustCompile(`[a-z_][a-z0-9_$]*`)
	// campaign_id = @campaign_id, either way round, optionally qualified
	// (n.campaign_id) and cast (@campaign_id::uuid).
	campaignIDFilter = regexp.MustCompile(
		`(?:^|[^a-z0-9_.@])(?:[a-z_][a-z0-9_]*\.)?campaign_id\s*=\s*@campaign_id\b` +
			`|@campaign_id(?:\s*::\s*uuid)?\s*=\s*(?:[a-z_][a-z0-9_]*\.)?campaign_id\b`)
	// id = @campaign_id, for the root table.
	rootIDFilter = regexp.MustCompile(
		`(?:^|[^a-z0-9_.@])(?:[a-z_][a-z0-9_]*\.)?id\s*=\s*@campaign_id\b` +
			`|@campaign_id(?:\s*::\s*uuid)?\s*=\s*(?:[a-z_][a-z0-9_]*\.)?id\b`)
	insertStmt     = regexp.MustCompile(`(?:^|[^a-z0-9_])insert\s+into\s`)
	campaignIDParm = regexp.MustCompile(`@campaign_id\b`)
)

// checkScope reports why text (one sqlc query) breaks the campaign-scope
// rule, or nil. scoped holds the lower-case names of the tables that have a
// campaign_id column; the root table is always checked as well.
func checkScope(text string, scoped map[string]bool) error {
	if m := unscopedLine.FindStringSubmatch(text); m != nil {
		if strings.TrimSpace(m[1]) == "" {
			return errors.New(`"-- unscoped:" needs a reason`)
		}
		return nil
	}
	sql := strings.ToLower(stripCommentsAndLiterals(sqlcArg.ReplaceAllString(text, "@$1")))

	var tables []string
	seen := map[string]bool{}
	hasRoot := false
	for _, loc := range identifier.FindAllStringIndex(sql, -1) {
		if loc[0] > 0 && (sql[loc[0]-1] == '@' || sql[loc[0]-1] == ':') {
			continue // a parameter name or a type name
		}
		id := sql[loc[0]:loc[1]]
		if seen[id] {
			continue
		}
		seen[id] = true
		if id == rootTable {
			hasRoot = true
		} else if scoped[id] {
			tables = append(tables, id)
		}
	}
	if len(tables) == 0 && !hasRoot {
		return nil
	}
	isInsert := insertStmt.MatchString(sql)
	if len(tables) > 0 && !campaignIDFilter.MatchString(sql) && !(isInsert && campaignIDParm.MatchString(sql)) {
		return fmt.Errorf("touches %s without campaign_id = @campaign_id (or inserting @campaign_id); add the filter or a \"-- unscoped: <reason>\" line",
			strings.Join(tables, ", "))
	}
	if hasRoot && !rootIDFilter.MatchString(sql) {
		return fmt.Errorf("touches %s without id = @campaign_id; add the filter or a \"-- unscoped: <reason>\" line", rootTable)
	}
	return nil
}

// stripCommentsAndLiterals replaces comments with a space and the contents
// of string literals (single-quoted, E-strings, dollar-quoted) with
// nothing, so that only SQL is matched. Double-quoted identifiers lose
// their quotes.
func stripCommentsAndLiterals(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return b.String()
			}
			b.WriteByte(' ')
			i += j
		case strings.HasPrefix(s[i:], "/*"):
			// PostgreSQL block comments nest.
			depth := 0
			for i < len(s) {
				if strings.HasPrefix(s[i:], "/*") {
					depth++
					i += 2
				} else if strings.HasPrefix(s[i:], "*/") {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
			b.WriteByte(' ')
		case s[i] == '\'':
			// '' inside a literal is a quote; in E'' strings \ escapes too.
			escapes := i > 0 && (s[i-1] == 'e' || s[i-1] == 'E') &&
				(i == 1 || !isIdentChar(s[i-2]))
			i++
			for i < len(s) {
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						i += 2
						continue
					}
					i++
					break
				}
				if escapes && s[i] == '\\' && i+1 < len(s) {
					i += 2
					continue
				}
				i++
			}
			b.WriteString("''")
		case s[i] == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				b.WriteString(s[i+1:])
				return b.String()
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 2
		case s[i] == '$':
			if tag := dollarTag.FindString(s[i:]); tag != "" {
				end := strings.Index(s[i+len(tag):], tag)
				if end < 0 {
					return b.String()
				}
				b.WriteString("''")
				i += len(tag) + end + len(tag)
				continue
			}
			b.WriteByte(s[i])
			i++
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

var dollarTag = regexp.MustCompile(`^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$`)

func isIdentChar(c byte) bool {
	return c == '_' || c == '$' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// campaignTables asks the migrated database which tables (and views) have a
// campaign_id column.
func campaignTables(t *testing.T) map[string]bool {
	t.Helper()
	pool := dbtest.New(t)
	rows, err := pool.Query(context.Background(), `
		SELECT DISTINCT lower(table_name)
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name = 'campaign_id'`)
	require.NoError(t, err)
	defer rows.Close()
	scoped := map[string]bool{}
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		scoped[name] = true
	}
	require.NoError(t, rows.Err())
	// Sanity: the catalog query found the campaign-owned tables.
	require.True(t, scoped["memberships"] && scoped["npcs"] && scoped["chunks"], "campaign tables: %v", scoped)
	require.False(t, scoped[rootTable])
	return scoped
}

func TestScope_Queries(t *testing.T) {
	t.Parallel()
	scoped := campaignTables(t)

	files, err := filepath.Glob(filepath.Join("..", "queries", "*.sql"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no queries/*.sql found")
	sort.Strings(files)

	names := map[string]string{}
	total := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, q := range splitQueries(filepath.Base(f), string(src)) {
			total++
			if prev, dup := names[q.name]; dup {
				t.Errorf("%s: query %s is also defined in %s", q.file, q.name, prev)
			}
			names[q.name] = q.file
			if err := checkScope(q.text, scoped); err != nil {
				t.Errorf("%s: query %s %v", q.file, q.name, err)
			}
		}
	}
	require.NotZero(t, total, "no \"-- name:\" lines found in queries/*.sql")
}

func TestScope_Check(t *testing.T) {
	t.Parallel()
	scoped := map[string]bool{"npcs": true, "play_sessions": true, "npc_sessions": true}

	tests := []struct {
		name  string
		query string
		ok    bool
	}{
		{"SelectScoped", `-- name: NPCGet :one
SELECT id, name FROM npcs WHERE campaign_id = @campaign_id AND id = @id;`, true},
		{"SelectScopedCastQualified", `-- name: NPCGet :one
SELECT n.id FROM npcs n WHERE n.campaign_id = @campaign_id::uuid AND n.id = @id::uuid;`, true},
		{"SelectScopedSqlcArg", `-- name: NPCGet :one
SELECT id FROM npcs WHERE campaign_id = sqlc.arg(campaign_id) AND id = sqlc.arg('id');`, true},
		{"SelectScopedSqlcArgQuoted", `-- name: NPCGet :one
SELECT id FROM npcs WHERE campaign_id = sqlc.arg('campaign_id');`, true},
		{"SelectScopedReversed", `-- name: NPCGet :one
SELECT id FROM npcs WHERE @campaign_id::uuid = campaign_id;`, true},
		{"SelectScopedCaseInsensitive", `-- name: NPCGet :one
select ID from NPCS where Campaign_ID = @campaign_id;`, true},
		{"SelectUnscoped", `-- name: NPCGet :one
SELECT id, name FROM npcs WHERE id = @id;`, false},
		{"SelectUnscopedUpperCase", `-- name: NPCGet :one
SELECT id FROM "NPCS" WHERE ID = @id;`, false},
		{"SelectOtherParameter", `-- name: NPCGet :one
SELECT id FROM npcs WHERE campaign_id = @other_campaign_id;`, false},
		{"SelectLongerParameter", `-- name: NPCGet :one
SELECT id FROM npcs WHERE campaign_id = @campaign_id_of_other;`, false},
		{"SelectJoinOnlyCorrelated", `-- name: NPCListForSession :many
SELECT n.id FROM npcs n JOIN npc_sessions s ON s.campaign_id = n.campaign_id WHERE s.session_id = @session_id;`, false},
		{"FilterOnlyInComment", `-- name: NPCGet :one
-- WHERE campaign_id = @campaign_id
SELECT id FROM npcs WHERE id = @id;`, false},
		{"FilterOnlyInString", `-- name: NPCGet :one
SELECT id, 'campaign_id = @campaign_id' FROM npcs WHERE id = @id;`, false},
		{"UpdateUnscoped", `-- name: NPCUpdate :exec
UPDATE npcs SET name = @name WHERE id = @id;`, false},
		{"UpdateScoped", `-- name: NPCUpdate :exec
UPDATE npcs SET name = @name WHERE campaign_id = @campaign_id AND id = @id;`, true},
		{"DeleteUnscoped", `-- name: PlaySessionDelete :exec
DELETE FROM play_sessions WHERE id = @id;`, false},
		{"DeleteScoped", `-- name: PlaySessionDelete :exec
DELETE FROM play_sessions WHERE campaign_id = @campaign_id AND id = @id;`, true},
		{"InsertWithCampaignID", `-- name: NPCCreate :one
INSERT INTO npcs (campaign_id, name) VALUES (@campaign_id::uuid, @name) RETURNING *;`, true},
		{"InsertWithoutCampaignID", `-- name: NPCCreate :one
INSERT INTO npcs (name) VALUES (@name) RETURNING *;`, false},
		{"InsertCampaignIDFromOtherParameter", `-- name: NPCCreate :one
INSERT INTO npcs (campaign_id, name) VALUES (@target_campaign, @name);`, false},
		{"UnscopedWithReason", `-- name: NPCListAll :many
-- unscoped: the nightly export walks every campaign.
SELECT id FROM npcs;`, true},
		{"UnscopedWithoutReason", `-- name: NPCListAll :many
-- unscoped:
SELECT id FROM npcs;`, false},
		{"OtherTablesOnly", `-- name: UserGet :one
SELECT id FROM users WHERE id = @id;`, true},
		{"WholeIdentifiersOnly", `-- name: StatGet :one
SELECT npcs_total FROM npcs_stats WHERE id = @id;`, true},
		{"TableNameInCommentOnly", `-- name: UserGet :one
-- unlike npcs, users have no campaign
SELECT id FROM users WHERE id = @id;`, true},
		{"TableNameInStringOnly", `-- name: UserGet :one
SELECT id, 'npcs' AS label FROM users WHERE id = @id;`, true},
		{"TableNameInEscapeStringOnly", `-- name: UserGet :one
SELECT id, E'it\'s npcs' AS label FROM users WHERE id = @id;`, true},
		{"TableNameInDollarStringOnly", `-- name: UserGet :one
SELECT id, $x$npcs$x$ AS label FROM users WHERE id = @id;`, true},
		{"TableNameAfterBackslashInPlainString", `-- name: NPCGet :one
SELECT id, 'C:\' AS path FROM npcs WHERE id = @id;`, false},
		{"TableNameAsParameterOnly", `-- name: UserGet :one
SELECT id FROM users WHERE id = @npcs;`, true},
		{"RootUnscoped", `-- name: CampaignGet :one
SELECT id, name FROM campaigns WHERE id = @id;`, false},
		{"RootScoped", `-- name: CampaignGet :one
SELECT c.id, c.name FROM campaigns c WHERE c.id = @campaign_id::uuid;`, true},
		{"RootScopedButChildUnscoped", `-- name: CampaignGet :one
SELECT c.id, (SELECT count(*) FROM npcs n WHERE n.campaign_id = c.id) FROM campaigns c WHERE c.id = @campaign_id;`, false},
		{"RootAndChildScoped", `-- name: CampaignGet :one
SELECT c.id, (SELECT count(*) FROM npcs n WHERE n.campaign_id = @campaign_id) FROM campaigns c WHERE c.id = @campaign_id;`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := checkScope(tt.query, scoped)
			if tt.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}

func TestScope_SplitQueries(t *testing.T) {
	t.Parallel()
	src := `-- file header, not a query
-- name: A :one
-- A's doc.
SELECT 1;

-- name: B :exec
-- unscoped: because.
DELETE FROM x;
`
	qs := splitQueries("f.sql", src)
	require.Len(t, qs, 2)
	require.Equal(t, "A", qs[0].name)
	require.Contains(t, qs[0].text, "SELECT 1;")
	require.NotContains(t, qs[0].text, "unscoped")
	require.Equal(t, "B", qs[1].name)
	require.Contains(t, qs[1].text, "-- unscoped: because.")
}

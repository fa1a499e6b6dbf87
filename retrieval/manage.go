package retrieval

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"gametable/db"
)

// ValidationError names the request fields that are wrong and why; the API
// answers it with 422 validation_failed and these fields.
type ValidationError struct {
	Fields map[string]string
}

// Error lists the fields and their problems.
func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for f, m := range e.Fields {
		parts = append(parts, f+": "+m)
	}
	sort.Strings(parts)
	return "invalid " + strings.Join(parts, "; ")
}

func invalid(field, msg string) *ValidationError {
	return &ValidationError{Fields: map[string]string{field: msg}}
}

// Book kinds as stored (core_rules.kind). The API spells KindToolOnly
// "toolOnly"; see KindFromAPI and KindToAPI.
const (
	KindRequired = "required"
	KindOptional = "optional"
	KindToolOnly = "tool_only"
)

// KindFromAPI turns the API's kind ("required", "optional", "toolOnly")
// into the stored one; ok is false for anything else.
func KindFromAPI(k string) (kind string, ok bool) {
	switch k {
	case "required":
		return KindRequired, true
	case "optional":
		return KindOptional, true
	case "toolOnly":
		return KindToolOnly, true
	}
	return "", false
}

// KindToAPI is the inverse of KindFromAPI.
func KindToAPI(kind string) string {
	if kind == KindToolOnly {
		return "toolOnly"
	}
	return kind
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// UploadDocumentParams is a GM's upload of a campaign document.
type UploadDocumentParams struct {
	CampaignID uuid.UUID
	UploadedBy uuid.UUID
	// Title is optional; the file name without its extension by default.
	Title string
	// Filename is the name the client sent; it is sanitised.
	Filename string
	Data     []byte
}

// UploadDocument stores the file, creates the document (pending) and
// enqueues its ingestion in the same transaction. The type is sniffed from
// the content (Markdown, plain text or PDF); anything else, an empty file or
// a bad title is a *ValidationError. The size limit is the caller's (the
// HTTP layer answers 413 before reading too much).
func (s *Service) UploadDocument(ctx context.Context, p UploadDocumentParams) (db.CampaignDocument, error) {
	filename := SanitizeFilename(p.Filename)
	typ, err := checkUpload(p.Data)
	if err != nil {
		return db.CampaignDocument{}, err
	}
	title, err := uploadTitle(p.Title, filename)
	if err != nil {
		return db.CampaignDocument{}, err
	}
	sum, err := s.storeFile(p.Data)
	if err != nil {
		return db.CampaignDocument{}, err
	}
	var doc db.CampaignDocument
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		doc, err = s.q.WithTx(tx).CampaignDocumentCreate(ctx, db.CampaignDocumentCreateParams{
			CampaignID:  p.CampaignID,
			Title:       title,
			Filename:    filename,
			ContentType: typ,
			SHA256:      sum,
			SizeBytes:   int64(len(p.Data)),
			UploadedBy:  p.UploadedBy,
		})
		if err != nil {
			return fmt.Errorf("create document: %w", db.Interpret(err))
		}
		return s.enqueue(ctx, tx, IngestDocumentArgs{CampaignID: p.CampaignID, DocumentID: doc.ID})
	})
	return doc, err
}

// DeleteDocument removes a campaign document; its chunks and statistics go
// in the same statement. db.ErrNotFound when the campaign has no such
// document.
func (s *Service) DeleteDocument(ctx context.Context, campaignID, documentID uuid.UUID) error {
	n, err := s.q.CampaignDocumentDelete(ctx, db.CampaignDocumentDeleteParams{CampaignID: campaignID, ID: documentID})
	if err != nil {
		return fmt.Errorf("delete document %s: %w", documentID, db.Interpret(err))
	}
	if n == 0 {
		return fmt.Errorf("delete document %s: %w", documentID, db.ErrNotFound)
	}
	return nil
}

// CreateCoreRuleParams is an admin's new rule book.
type CreateCoreRuleParams struct {
	Slug  string
	Title string
	// Kind is the stored kind (KindRequired, KindOptional, KindToolOnly).
	Kind  string
	Files []File
}

// CreateCoreRule stores the files, creates the book (pending) with its
// list of files and enqueues its ingestion in one transaction. A taken slug
// is db.ErrConflict; bad fields are a *ValidationError.
func (s *Service) CreateCoreRule(ctx context.Context, p CreateCoreRuleParams) (db.CoreRule, error) {
	refs, err := s.checkCoreRule(p)
	if err != nil {
		return db.CoreRule{}, err
	}
	var rule db.CoreRule
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		var err error
		rule, err = q.CoreRuleCreate(ctx, coreRuleCreateParams(p, refs))
		if err != nil {
			return fmt.Errorf("create core rule: %w", db.Interpret(err))
		}
		if err := setCoreRuleFiles(ctx, q, rule.ID, p.Files, refs); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, IngestCoreRuleArgs{CoreRuleID: rule.ID, Files: refs})
	})
	return rule, err
}

// setCoreRuleFiles replaces the list of a book's source files (refs, in
// order; files holds their contents) inside the caller's transaction.
func setCoreRuleFiles(ctx context.Context, q *db.Queries, id uuid.UUID, files []File, refs []FileRef) error {
	if err := q.CoreRuleFileDelete(ctx, id); err != nil {
		return fmt.Errorf("delete files of core rule %s: %w", id, db.Interpret(err))
	}
	params := make([]db.CoreRuleFileInsertParams, len(refs))
	for i, r := range refs {
		params[i] = db.CoreRuleFileInsertParams{
			CoreRuleID: id, Position: int32(i), Filename: r.Name, SHA256: mustHex(r.SHA256), SizeBytes: int64(len(files[i].Data)),
		}
	}
	if err := execBatch(q.CoreRuleFileInsert(ctx, params)); err != nil {
		return fmt.Errorf("record files of core rule %s: %w", id, db.Interpret(err))
	}
	return nil
}

// ImportCoreRule creates the book, or replaces the title, kind and files of
// the book with that slug, and ingests it now, reporting progress: the
// command line's "rules import". It needs no queue. The book row and its
// list of files are saved in one transaction before the ingestion; on an
// ingestion failure the book is failed with a readable error, which is also
// returned.
func (s *Service) ImportCoreRule(ctx context.Context, p CreateCoreRuleParams, progress ProgressFunc) (db.CoreRule, error) {
	refs, err := s.checkCoreRule(p)
	if err != nil {
		return db.CoreRule{}, err
	}
	var rule db.CoreRule
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		var err error
		rule, err = q.CoreRuleGetBySlug(ctx, p.Slug)
		switch err = db.Interpret(err); {
		case errors.Is(err, db.ErrNotFound):
			rule, err = q.CoreRuleCreate(ctx, coreRuleCreateParams(p, refs))
		case err == nil:
			c := coreRuleCreateParams(p, refs)
			rule, err = q.CoreRuleSetSource(ctx, db.CoreRuleSetSourceParams{
				ID: rule.ID, Title: c.Title, Kind: c.Kind, Filename: c.Filename, SHA256: c.SHA256, SizeBytes: c.SizeBytes,
			})
		}
		if err != nil {
			return fmt.Errorf("save core rule %s: %w", p.Slug, db.Interpret(err))
		}
		return setCoreRuleFiles(ctx, q, rule.ID, p.Files, refs)
	})
	if err != nil {
		return db.CoreRule{}, err
	}
	if err := s.IngestCoreRule(ctx, rule.ID, p.Files, progress); err != nil {
		return rule, err
	}
	rule, err = s.q.CoreRuleGet(ctx, rule.ID)
	if err != nil {
		return db.CoreRule{}, fmt.Errorf("reload core rule: %w", db.Interpret(err))
	}
	return rule, nil
}

// ErrNotOptional refuses to toggle a book that is not optional (422).
var ErrNotOptional = errors.New("only optional books can be enabled or disabled")

// SetCoreRuleEnabled records whether a campaign uses an optional book.
// db.ErrNotFound for an unknown book; a *ValidationError wrapping
// ErrNotOptional for required and tool-only books.
func (s *Service) SetCoreRuleEnabled(ctx context.Context, campaignID, coreRuleID uuid.UUID, enabled bool) error {
	rule, err := s.q.CoreRuleGet(ctx, coreRuleID)
	if err != nil {
		return fmt.Errorf("load core rule %s: %w", coreRuleID, db.Interpret(err))
	}
	if rule.Kind != KindOptional {
		return fmt.Errorf("%w: %w", invalid("enabled", ErrNotOptional.Error()), ErrNotOptional)
	}
	err = s.q.CampaignCoreRuleSetEnabled(ctx, db.CampaignCoreRuleSetEnabledParams{CampaignID: campaignID, CoreRuleID: coreRuleID, Enabled: enabled})
	if err != nil {
		return fmt.Errorf("set core rule %s enabled: %w", coreRuleID, db.Interpret(err))
	}
	return nil
}

// Settings are the ingestion settings as the API shows them.
type Settings struct {
	// ChunkSize and ChunkOverlap count characters (see ChunkOptions).
	ChunkSize    int
	ChunkOverlap int
	// EmbeddingModel is "" for the server's default.
	EmbeddingModel string
}

// GetSettings returns the ingestion settings.
func (s *Service) GetSettings(ctx context.Context) (Settings, error) {
	row, err := s.q.IngestionSettingsGet(ctx)
	if err != nil {
		return Settings{}, fmt.Errorf("load ingestion settings: %w", err)
	}
	return Settings{ChunkSize: int(row.ChunkSize), ChunkOverlap: int(row.ChunkOverlap), EmbeddingModel: row.EmbeddingModel}, nil
}

// UpdateSettings validates and saves the settings. In the same
// transaction it queues what the change needs: when the chunk size or
// overlap changes, a re-chunking job (RechunkArgs) that cuts every book and
// document again; when the embedding model changes, a re-embedding job
// (ReembedArgs). Unchanged settings queue nothing.
func (s *Service) UpdateSettings(ctx context.Context, in Settings) (Settings, error) {
	fields := map[string]string{}
	if in.ChunkSize < 100 || in.ChunkSize > 20000 {
		fields["chunkSize"] = "must be between 100 and 20000"
	}
	if in.ChunkOverlap < 0 || in.ChunkOverlap >= in.ChunkSize {
		fields["chunkOverlap"] = "must be at least 0 and less than chunkSize"
	}
	in.EmbeddingModel = strings.TrimSpace(in.EmbeddingModel)
	if utf8.RuneCountInString(in.EmbeddingModel) > 200 {
		fields["embeddingModel"] = "must be at most 200 characters"
	} else if _, err := s.embedders.Resolve(in.EmbeddingModel); err != nil {
		fields["embeddingModel"] = err.Error()
	}
	if len(fields) > 0 {
		return Settings{}, &ValidationError{Fields: fields}
	}
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		old, err := q.IngestionSettingsGet(ctx)
		if err != nil {
			return fmt.Errorf("load ingestion settings: %w", err)
		}
		if _, err := q.IngestionSettingsUpdate(ctx, db.IngestionSettingsUpdateParams{
			ChunkSize: int32(in.ChunkSize), ChunkOverlap: int32(in.ChunkOverlap), EmbeddingModel: in.EmbeddingModel,
		}); err != nil {
			return fmt.Errorf("save ingestion settings: %w", err)
		}
		// Re-chunking first: it embeds with the new model too, and a
		// re-embedding queued behind it (the same queue, in insertion
		// order) then finds only the chunks it did not replace.
		if old.ChunkSize != int32(in.ChunkSize) || old.ChunkOverlap != int32(in.ChunkOverlap) {
			if err := s.enqueue(ctx, tx, RechunkArgs{}); err != nil {
				return err
			}
		}
		if s.modelName(old.EmbeddingModel) != s.modelName(in.EmbeddingModel) {
			return s.enqueue(ctx, tx, ReembedArgs{})
		}
		return nil
	})
	if err != nil {
		return Settings{}, err
	}
	return in, nil
}

// modelName is the model a settings value stands for.
func (s *Service) modelName(setting string) string {
	if setting == "" {
		return s.embedders.DefaultModel()
	}
	return setting
}

func (s *Service) enqueue(ctx context.Context, tx pgx.Tx, args river.JobArgs) error {
	if s.queue == nil {
		return nil
	}
	if _, err := s.queue.InsertTx(ctx, tx, args, nil); err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

func (s *Service) checkCoreRule(p CreateCoreRuleParams) ([]FileRef, error) {
	fields := map[string]string{}
	if !slugPattern.MatchString(p.Slug) {
		fields["slug"] = "must be 1 to 63 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit"
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(p.Title)); n < 1 || n > 200 {
		fields["title"] = "must be 1 to 200 characters"
	}
	if p.Kind != KindRequired && p.Kind != KindOptional && p.Kind != KindToolOnly {
		fields["kind"] = "must be required, optional or toolOnly"
	}
	if len(p.Files) == 0 {
		fields["file"] = "is required"
	}
	for _, f := range p.Files {
		if _, err := checkUpload(f.Data); err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				fields["file"] = ve.Fields["file"]
			}
		}
	}
	if len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	refs := make([]FileRef, 0, len(p.Files))
	for _, f := range p.Files {
		sum, err := s.storeFile(f.Data)
		if err != nil {
			return nil, err
		}
		refs = append(refs, FileRef{Name: SanitizeFilename(f.Name), SHA256: hex.EncodeToString(sum)})
	}
	return refs, nil
}

func coreRuleCreateParams(p CreateCoreRuleParams, refs []FileRef) db.CoreRuleCreateParams {
	last := len(p.Files) - 1
	return db.CoreRuleCreateParams{
		Slug:      p.Slug,
		Title:     strings.TrimSpace(p.Title),
		Kind:      p.Kind,
		Filename:  refs[last].Name,
		SHA256:    mustHex(refs[last].SHA256),
		SizeBytes: int64(len(p.Files[last].Data)),
	}
}

// storeFile keeps an upload for the background job; without a FileStore
// only its checksum is computed (synchronous ingestion).
func (s *Service) storeFile(data []byte) ([]byte, error) {
	if s.files == nil {
		return sha256Sum(data), nil
	}
	return s.files.Put(data)
}

// checkUpload sniffs an upload's type, refusing empty and unsupported files.
func checkUpload(data []byte) (string, error) {
	if len(data) == 0 {
		return "", invalid("file", "is empty")
	}
	typ, err := DetectType(data)
	if err != nil {
		return "", fmt.Errorf("%w: %w", invalid("file", err.Error()), err)
	}
	return typ, nil
}

func uploadTitle(title, filename string) (string, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		title = strings.TrimSpace(strings.TrimSuffix(filename, filepath.Ext(filename)))
		if title == "" {
			title = filename
		}
		if r := []rune(title); len(r) > 200 {
			title = string(r[:200])
		}
	}
	if n := utf8.RuneCountInString(title); n < 1 || n > 200 {
		return "", invalid("title", "must be 1 to 200 characters")
	}
	return title, nil
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic("developer error: bad hex checksum " + s)
	}
	return b
}

package retrieval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

// FileStore keeps uploaded files, named by the hex SHA-256 of their content,
// so that a background ingestion job (which may run after a restart, on
// another server) can read what was uploaded. Identical uploads share one
// file. Files are written to a temporary name and renamed, so a reader never
// sees half a file.
//
// Files no row refers to any more (a deleted document, a book imported
// again) are removed by Sweep. A Put of content that is already stored
// refreshes the file's time, and Sweep spares recent files and looks again
// after moving a file aside, so a file is never removed between its Put
// and the commit of the row that refers to it — also when the Put is made
// by another process on the same directory (gametable rules import while
// the server runs).
type FileStore struct {
	dir string
}

// NewFileStore returns a store under dir, creating it if needed. A
// symbolic link (uploads on another volume) is resolved once here.
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create upload directory: %w", err)
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve upload directory: %w", err)
	}
	return &FileStore{dir: real}, nil
}

// Put stores data and returns its SHA-256.
func (s *FileStore) Put(data []byte) ([]byte, error) {
	sum := sha256.Sum256(data)
	path := s.path(sum[:])
	now := time.Now()
	if err := os.Chtimes(path, now, now); err == nil {
		return sum[:], nil // already stored; now recent again
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create upload directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return nil, fmt.Errorf("store upload: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("store upload: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("store upload: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("store upload: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, fmt.Errorf("store upload: %w", err)
	}
	return sum[:], nil
}

// Get returns the file with the given SHA-256, checking its content.
func (s *FileStore) Get(sum []byte) ([]byte, error) {
	if len(sum) != sha256.Size {
		return nil, errors.New("read upload: bad checksum length")
	}
	data, err := os.ReadFile(s.path(sum))
	if err != nil {
		return nil, fmt.Errorf("read upload %x: %w", sum, err)
	}
	if got := sha256.Sum256(data); string(got[:]) != string(sum) {
		return nil, fmt.Errorf("read upload %x: content does not match its checksum", sum)
	}
	return data, nil
}

// Sweep removes the stored files whose checksum referenced does not
// report as needed and that were stored (or stored again) longer than
// grace ago, and returns how many it removed. Files it cannot read as
// stored uploads (other names) are left alone.
//
// A file is first renamed aside (".trash-" and its name) and its time read
// again: a Put that refreshed it just before the rename is seen, and the
// file is put back; a Put after the rename finds no file and writes it
// anew. No lock is needed, so this holds across processes.
func (s *FileStore) Sweep(ctx context.Context, grace time.Duration, referenced func(sum []byte) bool) (int, error) {
	removed := 0
	cutoff := time.Now().Add(-grace)
	err := filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		name := d.Name()
		switch {
		case strings.HasPrefix(name, ".upload-"):
			// A Put that died (the process crashed); never referenced.
			if old(path, cutoff) && os.Remove(path) == nil {
				removed++
			}
			return nil
		case strings.HasPrefix(name, ".trash-"):
			// A sweep that died between moving a file aside and deciding.
			sum, ok := s.checksum(filepath.Join(filepath.Dir(path), strings.TrimPrefix(name, ".trash-")))
			if !ok {
				return nil
			}
			return s.settle(path, s.path(sum), referenced(sum), cutoff, &removed)
		}
		sum, ok := s.checksum(path)
		if !ok || referenced(sum) || !old(path, cutoff) {
			return nil
		}
		trash := filepath.Join(filepath.Dir(path), ".trash-"+name)
		if err := os.Rename(path, trash); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("set aside upload %s: %w", name, err)
		}
		return s.settle(trash, path, false, cutoff, &removed)
	})
	return removed, err
}

// settle decides about a file set aside at trash: back to path when it is
// needed or was stored again since the sweep looked (unless a new copy is
// there already), else removed.
func (s *FileStore) settle(trash, path string, needed bool, cutoff time.Time, removed *int) error {
	if needed || !old(trash, cutoff) {
		if _, err := os.Stat(path); err == nil {
			return os.Remove(trash) // Put wrote it anew meanwhile
		}
		if err := os.Rename(trash, path); err != nil {
			return fmt.Errorf("put back upload %s: %w", filepath.Base(path), err)
		}
		return nil
	}
	if err := os.Remove(trash); err != nil {
		return fmt.Errorf("remove upload %s: %w", filepath.Base(path), err)
	}
	*removed++
	return nil
}

// checksum returns the SHA-256 a stored file's path names, if it is the
// path of one.
func (s *FileStore) checksum(path string) ([]byte, bool) {
	sum, err := hex.DecodeString(filepath.Base(path))
	if err != nil || len(sum) != sha256.Size || path != s.path(sum) {
		return nil, false
	}
	return sum, true
}

// old reports whether the file at path was last modified before cutoff.
func old(path string, cutoff time.Time) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.ModTime().Before(cutoff)
}

func (s *FileStore) path(sum []byte) string {
	h := hex.EncodeToString(sum)
	return filepath.Join(s.dir, h[:2], h)
}

// SanitizeFilename reduces an uploaded file name to a safe base name: no
// directories, no control or path characters, no leading dots, at most 255
// bytes. An empty result becomes "upload".
func SanitizeFilename(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = name[strings.LastIndex(name, "/")+1:]
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsControl(r), strings.ContainsRune(`<>:"/\|?*`, r), r == unicode.ReplacementChar:
			b.WriteRune('_')
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.TrimLeft(strings.TrimSpace(b.String()), ".")
	for len(out) > 255 {
		r := []rune(out)
		out = string(r[:len(r)-1])
	}
	if out == "" {
		return "upload"
	}
	return out
}

func sha256Sum(data []byte) []byte {
	sum := sha256.Sum256(data)
	return sum[:]
}

// Package srdbook renders the open 5e SRD data (the JSON files of the
// 5e-database project, CC-BY-4.0) as Markdown rule books: for
// "gametable rules import --srd DIR", and for the retrieval evaluation and
// the search benchmarks, which read it from ../shared/data/srd beside the
// repository. The data is never copied into the repository.
package srdbook

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Dir returns ../shared/data/srd relative to the repository root, or an
// error saying where the data belongs.
func Dir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("srdbook: cannot locate the source file")
	}
	// This file is retrieval/srdbook/srdbook.go.
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "data", "srd")
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("the SRD data belongs in ../shared/data/srd beside the repository: %w", err)
	}
	return dir, nil
}

func readJSON(dir, name string, v any) error {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// Rules is the evaluation book: the SRD rule sections in chapter order
// (each chapter a "#" heading above its sections' own "##" Markdown), then
// the conditions under "# Conditions", one "##" heading each.
func Rules(dir string) (string, error) {
	var sections []struct {
		Index string `json:"index"`
		Desc  string `json:"desc"`
	}
	if err := readJSON(dir, "5e-SRD-Rule-Sections.json", &sections); err != nil {
		return "", err
	}
	byIndex := map[string]string{}
	for _, s := range sections {
		byIndex[s.Index] = s.Desc
	}
	var chapters []struct {
		Name        string `json:"name"`
		Subsections []struct {
			Index string `json:"index"`
		} `json:"subsections"`
	}
	if err := readJSON(dir, "5e-SRD-Rules.json", &chapters); err != nil {
		return "", err
	}
	var b strings.Builder
	used := 0
	for _, ch := range chapters {
		fmt.Fprintf(&b, "# %s\n\n", ch.Name)
		for _, sub := range ch.Subsections {
			desc, ok := byIndex[sub.Index]
			if !ok {
				return "", fmt.Errorf("rule section %s of chapter %s is missing", sub.Index, ch.Name)
			}
			b.WriteString(desc)
			b.WriteString("\n\n")
			used++
		}
	}
	if used != len(sections) {
		return "", fmt.Errorf("%d of %d rule sections belong to no chapter", len(sections)-used, len(sections))
	}

	var conditions []struct {
		Name string   `json:"name"`
		Desc []string `json:"desc"`
	}
	if err := readJSON(dir, "5e-SRD-Conditions.json", &conditions); err != nil {
		return "", err
	}
	b.WriteString("# Conditions\n\n")
	for _, c := range conditions {
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", c.Name, strings.Join(c.Desc, "\n"))
	}
	return b.String(), nil
}

// Whole renders every text of the SRD data: Rules, then spells, monsters,
// magic items, equipment, weapon properties and damage types, one "##"
// section per record (about 2,100 chunks at the default chunk size).
func Whole(dir string) (string, error) {
	rules, err := Rules(dir)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(rules)

	section := func(title, file string, render func(map[string]any) string) error {
		var records []map[string]any
		if err := readJSON(dir, file, &records); err != nil {
			return err
		}
		fmt.Fprintf(&b, "# %s\n\n", title)
		for _, r := range records {
			fmt.Fprintf(&b, "## %v\n\n%s\n\n", r["name"], render(r))
		}
		return nil
	}
	lines := func(v any) string {
		var out []string
		if list, ok := v.([]any); ok {
			for _, x := range list {
				out = append(out, fmt.Sprint(x))
			}
		}
		return strings.Join(out, "\n\n")
	}
	named := func(v any) string {
		var out []string
		if list, ok := v.([]any); ok {
			for _, x := range list {
				if m, ok := x.(map[string]any); ok {
					out = append(out, fmt.Sprintf("***%v.*** %v", m["name"], m["desc"]))
				}
			}
		}
		return strings.Join(out, "\n\n")
	}
	descOnly := func(r map[string]any) string { return lines(r["desc"]) }
	for _, s := range []struct {
		title, file string
		render      func(map[string]any) string
	}{
		{"Spells", "5e-SRD-Spells.json", func(r map[string]any) string {
			return fmt.Sprintf("Level %v. Casting time %v. Range %v. Duration %v.\n\n%s\n\n%s",
				r["level"], r["casting_time"], r["range"], r["duration"], lines(r["desc"]), lines(r["higher_level"]))
		}},
		{"Monsters", "5e-SRD-Monsters.json", func(r map[string]any) string {
			return fmt.Sprintf("%v %v, %v. Hit points %v. Challenge %v.\n\n%s\n\n%s\n\n%s",
				r["size"], r["type"], r["alignment"], r["hit_points"], r["challenge_rating"],
				named(r["special_abilities"]), named(r["actions"]), named(r["legendary_actions"]))
		}},
		{"Magic Items", "5e-SRD-Magic-Items.json", descOnly},
		{"Equipment", "5e-SRD-Equipment.json", func(r map[string]any) string {
			return fmt.Sprintf("Cost %v. Weight %v.\n\n%s", r["cost"], r["weight"], lines(r["desc"]))
		}},
		{"Weapon Properties", "5e-SRD-Weapon-Properties.json", descOnly},
		{"Damage Types", "5e-SRD-Damage-Types.json", descOnly},
	} {
		if err := section(s.title, s.file, s.render); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

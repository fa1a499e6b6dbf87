// Package compendium is the monster and item compendium, the encounter
// builder and the encounter difficulty rules.
//
//   - Import (import.go, store.go): Parse reads 5e-database JSON files
//     (monsters, equipment, magic items, recognised by their records) into
//     Monster and Item records, reporting each malformed record with its
//     position and index; Store upserts them into a rule book, idempotent by
//     book and source index; RunImport is the "gametable compendium import"
//     command.
//   - Lists (list.go): ListMonsters, GetMonster, ListItems and GetItem show
//     only the books a campaign can see: required and tool-only books, and
//     optional books the campaign enabled. The SQL decides; Go never filters
//     visibility after the fact.
//   - Encounters (encounter.go): CRUD scoped to a campaign, the party's
//     difficulty, and the combatants a combat starts with.
//   - Difficulty (difficulty.go): pure functions over the rules' tables,
//     written once as data with their sources.
//
// The package sits beside http and hub, which call it, and imports only
// db. docs/compendium.md describes what is mapped and how difficulty is
// computed.
package compendium

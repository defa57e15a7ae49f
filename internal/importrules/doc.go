// Package importrules holds only a test: it enforces the module's import
// direction (see STYLE.md, "Module boundaries and import rules") so that a
// stray import is caught by CI rather than by a reviewer.
package importrules

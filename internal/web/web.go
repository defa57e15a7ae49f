// Package web holds sessiond's page templates and static files, embedded in
// the binary. Pages are server-rendered html/template, readable without
// JavaScript, and need nothing but the stylesheet the strict
// Content-Security-Policy allows (style-src 'self').
package web

import (
	"embed"
	"html/template"
	"io/fs"
	"strconv"
	"time"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Static is the tree served under /static/.
var Static, _ = fs.Sub(staticFiles, "static")

// Templates are every page, each named after its file ("login.html").
var Templates = template.Must(template.New("").Funcs(template.FuncMap{
	"ago": ago,
	"datetime": func(t time.Time) string {
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
}).ParseFS(templateFiles, "templates/*.html"))

// ago renders a past instant relative to now, for "last active" columns.
func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	}
	return plural(int(d/(24*time.Hour)), "day") + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

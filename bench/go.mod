module github.com/sessiond/sessiond/bench

go 1.26.0

replace github.com/sessiond/sessiond => ../

require (
	github.com/alexedwards/scs/v2 v2.9.0
	github.com/gorilla/securecookie v1.1.2
	github.com/gorilla/sessions v1.4.0
	github.com/sessiond/sessiond v0.0.0-00010101000000-000000000000
)

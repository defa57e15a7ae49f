package storeurl

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/internal/account/redisaccount"
	"github.com/sessiond/sessiond/store/redisstore"
)

// openRedis opens one of:
//
//	redis://[user:password@]host:port[/db]       a single server
//	rediss://…                                    the same over TLS
//	redis+sentinel://[user:password@]h1:p1,h2:p2/MASTER[?db=N]   Sentinel, automatic failover
//	redis+cluster://[user:password@]h1:p1,h2:p2  Redis Cluster
//
// and, on any of them, ?wait_replicas=N&wait_timeout=500ms to make every
// write wait until N replicas acknowledged it, so an acknowledged login
// survives a failover, and ?prefix=NAME: to keep several deployments apart
// on one Redis (default "sessiond:"). Sessions, accounts and throttling state share the
// deployment.
func openRedis(raw string, u *url.URL) (*Backend, error) {
	q := u.Query()
	var cfg redisstore.Config
	if v := q.Get("wait_replicas"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("storeurl: %s: wait_replicas: want a whole number, got %q", u.Redacted(), v)
		}
		cfg.WaitReplicas = n
	}
	if v := q.Get("wait_timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("storeurl: %s: wait_timeout: want a duration such as 500ms, got %q", u.Redacted(), v)
		}
		cfg.WaitTimeout = d
	}
	cfg.Prefix = q.Get("prefix")
	q.Del("wait_replicas")
	q.Del("wait_timeout")
	q.Del("prefix")
	client, err := redisClient(raw, u.Scheme, q)
	if err != nil {
		return nil, fmt.Errorf("storeurl: %s: %w", redacted(raw), err)
	}
	sessions, err := redisstore.New(client, cfg)
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("storeurl: %s: %w", redacted(raw), err)
	}
	accounts, err := redisaccount.New(client, redisaccount.Config{Prefix: cfg.Prefix})
	if err != nil {
		sessions.Close()
		client.Close()
		return nil, fmt.Errorf("storeurl: %s: %w", redacted(raw), err)
	}
	return &Backend{
		Sessions: sessions,
		Accounts: accounts,
		Describe: "redis " + redacted(raw),
		close: func() error {
			return errors.Join(accounts.Close(), sessions.Close(), client.Close())
		},
	}, nil
}

func redisClient(raw, scheme string, q url.Values) (redis.UniversalClient, error) {
	if scheme == "redis" || scheme == "rediss" {
		base, _, _ := strings.Cut(raw, "?")
		if len(q) > 0 {
			base += "?" + q.Encode()
		}
		opt, err := redis.ParseURL(base)
		if err != nil {
			return nil, err
		}
		return redis.NewClient(opt), nil
	}
	user, password, hosts, path, err := splitMultiHost(raw)
	if err != nil {
		return nil, err
	}
	if scheme == "redis+cluster" {
		return redis.NewClusterClient(&redis.ClusterOptions{Addrs: hosts, Username: user, Password: password}), nil
	}
	if path == "" {
		return nil, errors.New("name the master: redis+sentinel://host:port,host:port/MASTER")
	}
	db := 0
	if v := q.Get("db"); v != "" {
		if db, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("db: want a number, got %q", v)
		}
	}
	return redis.NewFailoverClient(&redis.FailoverOptions{MasterName: path, SentinelAddrs: hosts,
		Username: user, Password: password, DB: db}), nil
}

// splitMultiHost parses scheme://[user:password@]h1:p1,h2:p2[/path][?query],
// which net/url does not accept with several hosts.
func splitMultiHost(raw string) (user, password string, hosts []string, path string, err error) {
	_, rest, _ := strings.Cut(raw, "://")
	rest, _, _ = strings.Cut(rest, "?")
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		info := rest[:at]
		rest = rest[at+1:]
		u, p, _ := strings.Cut(info, ":")
		if user, err = url.PathUnescape(u); err == nil {
			password, err = url.PathUnescape(p)
		}
		if err != nil {
			return "", "", nil, "", errors.New("malformed user information")
		}
	}
	hostPart, path, _ := strings.Cut(rest, "/")
	for _, h := range strings.Split(hostPart, ",") {
		if h = strings.TrimSpace(h); h != "" {
			hosts = append(hosts, h)
		}
	}
	if len(hosts) == 0 {
		return "", "", nil, "", errors.New("no host:port given")
	}
	return user, password, hosts, strings.Trim(path, "/"), nil
}

// redacted hides a password in a store URL for logs and errors.
func redacted(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	info := rest[:at]
	if u, _, hasPassword := strings.Cut(info, ":"); hasPassword {
		info = u + ":xxxxx"
	}
	return scheme + "://" + info + rest[at:]
}

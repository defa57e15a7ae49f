package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Every script touches exactly one key, KEYS[1], so each runs atomically on
// the one node that owns that key's slot, in Cluster as anywhere else. The
// record scripts reply {code, owner}: one of the codes below and the UserID
// of the record they found ("" if none, or anonymous).
const (
	codeDone     = 0 // the write happened; owner is that of the record replaced or removed
	codeExists   = 1 // Create found a live record
	codeNotFound = 2 // no live record (missing, or expired by Now)
	codeConflict = 3 // Update found another version
	codeForeign  = 4 // DeleteUser found a record of another user and left it
	codeExpired  = 5 // DeleteUser removed a record that had already expired
	codeCorrupt  = 9 // the value does not decode (see encoding.go); DeleteUser removed it
)

// luaRecord decodes record values (see encoding.go) inside the scripts.
// now is passed as the two 32-bit halves of its instant, which Lua's
// doubles hold exactly, and compared half by half.
const luaRecord = `
local function decode(v)
  if string.len(v) < 21 or string.byte(v, 1) ~= 1 or string.sub(v, 2, 9) == string.rep('\0', 8) then
    return nil
  end
  local n = struct.unpack('>I4', v, 18)
  if string.len(v) < 21 + n then return nil end
  local hi, lo = struct.unpack('>I4I4', v, 10)
  return {version = string.sub(v, 2, 9), hi = hi, lo = lo, user = string.sub(v, 22, 21 + n)}
end
local function live(r, hi, lo)
  hi, lo = tonumber(hi), tonumber(lo)
  return r.hi > hi or (r.hi == hi and r.lo > lo)
end
`

// createScript stores a new record unless a live one has its key.
// ARGV: value, TTL in ms (0: the record has already expired, store
// nothing), Now's two halves. An expired record under the key is replaced
// (or just removed), and its owner returned so the caller can clean up that
// owner's index.
var createScript = redis.NewScript(luaRecord + `
local cur = redis.call('GET', KEYS[1])
local old = ''
if cur then
  local r = decode(cur)
  if not r then return {9, ''} end
  if live(r, ARGV[3], ARGV[4]) then return {1, r.user} end
  old = r.user
end
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
elseif cur then
  redis.call('DEL', KEYS[1])
end
return {0, old}
`)

// updateScript is the compare-and-swap: it replaces a live record whose
// version is ARGV[5] (8 bytes, big-endian). ARGV as createScript, TTL 0
// removing the record.
var updateScript = redis.NewScript(luaRecord + `
local cur = redis.call('GET', KEYS[1])
if not cur then return {2, ''} end
local r = decode(cur)
if not r then return {9, ''} end
if not live(r, ARGV[3], ARGV[4]) then return {2, ''} end
if r.version ~= ARGV[5] then return {3, r.user} end
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('DEL', KEYS[1])
end
return {0, r.user}
`)

// deleteScript removes a record, live, expired or undecodable, and returns
// its owner.
var deleteScript = redis.NewScript(luaRecord + `
local cur = redis.call('GET', KEYS[1])
if not cur then return {2, ''} end
redis.call('DEL', KEYS[1])
local r = decode(cur)
if not r then return {9, ''} end
return {0, r.user}
`)

// deleteOwnedScript removes a record only if it belongs to ARGV[1], the
// check DeleteUser needs because the index may name a record that has
// since moved to another user. ARGV[2], ARGV[3]: Now's halves, to tell a
// live record (counted) from an expired one (not).
var deleteOwnedScript = redis.NewScript(luaRecord + `
local cur = redis.call('GET', KEYS[1])
if not cur then return {2, ''} end
local r = decode(cur)
if r and r.user ~= ARGV[1] then return {4, r.user} end
redis.call('DEL', KEYS[1])
if not r then return {9, ''} end
if live(r, ARGV[2], ARGV[3]) then return {0, r.user} end
return {5, r.user}
`)

// indexAddScript adds a member to a user index. ARGV: member, score (the
// record's expiry in ms, rounded up), Now in ms (rounded down), slack in
// ms. It first drops the members that are dead by their score, with the
// slack to spare for processes whose clocks lag; ZADD GT keeps the highest
// score a member was ever given, so the score stays an upper bound on the
// expiry of the record, even when concurrent updates land in another order
// than their index entries. It then sets the index's TTL to the highest
// score plus the slack.
var indexAddScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[4]))
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local ttl = tonumber(top[2]) - tonumber(ARGV[3]) + tonumber(ARGV[4])
if ttl < 1 then ttl = 1 end
redis.call('PEXPIRE', KEYS[1], string.format('%.0f', ttl))
return {0, ''}
`)

// scriptCall is one run of a script on one key, and its outcome.
type scriptCall struct {
	script *redis.Script
	key    string
	args   []any

	code  int64
	owner string
	err   error
}

// pipeliner is what run needs of a client or of one Cluster node.
type pipeliner interface {
	Pipeline() redis.Pipeliner
}

// run runs calls, pipelined, and reports the first failure. Scripts are
// sent by digest (EVALSHA); calls that meet a server without the script in
// its cache (after a restart or failover) are sent again with their source
// (EVAL), which costs one more round trip, once per server. With wait and
// Config.WaitReplicas, every pipeline ends in WAIT, which must report
// enough replicas or run fails with ErrNotReplicated. WAIT only covers
// writes made on its own connection, so in Cluster the calls are grouped by
// the master that owns their key and each group is pipelined to that
// master directly, the groups in parallel.
func (s *Store) run(ctx context.Context, wait bool, calls ...*scriptCall) error {
	if !wait || s.waitReplicas == 0 {
		return s.runOn(ctx, s.client, false, calls)
	}
	if s.cluster == nil {
		return s.runOn(ctx, s.client, true, calls)
	}
	groups := map[*redis.Client][]*scriptCall{}
	for _, c := range calls {
		node, err := s.cluster.MasterForKey(ctx, c.key)
		if err != nil {
			return err
		}
		groups[node] = append(groups[node], c)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for node, group := range groups {
		wg.Go(func() {
			if err := s.runOn(ctx, node, true, group); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return firstErr
}

// runOn runs calls in one pipeline on c, then those that met NOSCRIPT in a
// second one, each pipeline followed by WAIT if wait is set.
func (s *Store) runOn(ctx context.Context, c pipeliner, wait bool, calls []*scriptCall) error {
	pending := calls
	for attempt := 0; len(pending) > 0; attempt++ {
		pipe := c.Pipeline()
		cmds := make([]*redis.Cmd, len(pending))
		for i, call := range pending {
			keys := []string{call.key}
			if attempt == 0 {
				cmds[i] = call.script.EvalSha(ctx, pipe, keys, call.args...)
			} else {
				cmds[i] = call.script.Eval(ctx, pipe, keys, call.args...)
			}
		}
		var waitCmd *redis.IntCmd
		if wait {
			// Pipeliner lacks a Wait method; the command is the same.
			waitCmd = redis.NewIntCmd(ctx, "wait", s.waitReplicas, s.waitTimeout.Milliseconds())
			_ = pipe.Process(ctx, waitCmd)
		}
		_, _ = pipe.Exec(ctx) // each command carries its own error
		var again []*scriptCall
		for i, cmd := range cmds {
			if attempt == 0 && isNoScript(cmd.Err()) {
				again = append(again, pending[i])
				continue
			}
			pending[i].set(cmd)
		}
		// A WAIT after scripts that all met NOSCRIPT covers no write.
		if waitCmd != nil && len(again) < len(pending) {
			if err := s.checkWait(waitCmd); err != nil {
				return err
			}
		}
		pending = again
	}
	for _, call := range calls {
		if call.err != nil {
			return call.err
		}
	}
	return nil
}

// checkWait reports whether WAIT saw enough replicas acknowledge.
func (s *Store) checkWait(wait *redis.IntCmd) error {
	n, err := wait.Result()
	if err != nil {
		return fmt.Errorf("wait: %w", err)
	}
	if n < int64(s.waitReplicas) {
		return fmt.Errorf("%w: %d of %d within %v", ErrNotReplicated, n, s.waitReplicas, s.waitTimeout)
	}
	return nil
}

// set records the outcome of cmd, a reply of {code, owner}.
func (c *scriptCall) set(cmd *redis.Cmd) {
	vals, err := cmd.Slice()
	if err != nil {
		c.err = err
		return
	}
	if len(vals) == 2 {
		code, ok1 := vals[0].(int64)
		owner, ok2 := vals[1].(string)
		if ok1 && ok2 {
			c.code, c.owner = code, owner
			return
		}
	}
	c.err = fmt.Errorf("unexpected script reply %v", vals)
}

// isNoScript reports whether err says the server lacks the script.
func isNoScript(err error) bool {
	return err != nil && (errors.Is(err, redis.ErrNoScript) || redis.HasErrorPrefix(err, "NOSCRIPT"))
}

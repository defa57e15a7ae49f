package account

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// memStore is a Store in memory for this package's tests. It also counts
// calls, so tests can prove what a login did and did not touch, and can be
// told to fail, so tests can prove what a store outage does.
type memStore struct {
	mu       sync.Mutex
	users    map[string]User
	failures map[string]Failures
	calls    map[string]int   // by method name
	failOn   map[string]error // by method name: what it fails with
}

func newMemStore() *memStore {
	return &memStore{users: map[string]User{}, failures: map[string]Failures{}, calls: map[string]int{}, failOn: map[string]error{}}
}

// begin locks s and returns why the call must fail, if it must.
func (s *memStore) begin(ctx context.Context, method string) error {
	s.mu.Lock()
	s.calls[method]++
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %s: %w", strings.ToLower(method), err)
	}
	if err := s.failOn[method]; err != nil {
		return fmt.Errorf("memstore: %s: %w", strings.ToLower(method), err)
	}
	return nil
}

// failMethod makes method fail with err from now on, or succeed again
// for nil.
func (s *memStore) failMethod(method string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failOn[method] = err
}

// put stores u as it is, bypassing every check.
func (s *memStore) put(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.Name] = u
}

// count returns how many times method was called.
func (s *memStore) count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

func (s *memStore) CreateUser(ctx context.Context, u User) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "CreateUser"); err != nil {
		return err
	}
	if u.Name == "" {
		return fmt.Errorf("memstore: create user: %w", ErrInvalidName)
	}
	if _, ok := s.users[u.Name]; ok {
		return ErrUserExists
	}
	s.users[u.Name] = u
	return nil
}

func (s *memStore) User(ctx context.Context, name string) (User, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "User"); err != nil {
		return User{}, err
	}
	u, ok := s.users[name]
	if !ok {
		return User{}, ErrNoUser
	}
	return u, nil
}

func (s *memStore) UpdateUser(ctx context.Context, name string, update func(*User) error) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UpdateUser"); err != nil {
		return err
	}
	u, ok := s.users[name]
	if !ok {
		return ErrNoUser
	}
	if err := update(&u); err != nil {
		return err
	}
	if u.Name != name {
		return ErrNameChanged
	}
	s.users[name] = u
	return nil
}

func (s *memStore) Users(ctx context.Context) ([]User, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "Users"); err != nil {
		return nil, err
	}
	users := make([]User, 0, len(s.users))
	for _, u := range s.users {
		users = append(users, u)
	}
	slices.SortFunc(users, func(a, b User) int { return strings.Compare(a.Name, b.Name) })
	return users, nil
}

func (s *memStore) AddFailure(ctx context.Context, key string, now time.Time, forget time.Duration) (Failures, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "AddFailure"); err != nil {
		return Failures{}, err
	}
	f := s.failures[key]
	if f.Last.Before(now.Add(-forget)) {
		f.Count = 0
	}
	f.Count++
	f.Last = now
	s.failures[key] = f
	return f, nil
}

func (s *memStore) Failures(ctx context.Context, key string, now time.Time, forget time.Duration) (Failures, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "Failures"); err != nil {
		return Failures{}, err
	}
	f := s.failures[key]
	if f.Last.Before(now.Add(-forget)) {
		return Failures{}, nil
	}
	return f, nil
}

func (s *memStore) ClearFailures(ctx context.Context, key string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ClearFailures"); err != nil {
		return err
	}
	delete(s.failures, key)
	return nil
}

package server

import (
	"net/netip"
)

// throttleKey is the address login throttling counts failures under. An
// IPv6 client usually controls a whole /64, so it is counted as one: else
// every address of the prefix would get a fresh allowance.
func throttleKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil || !addr.Is6() || addr.Is4In6() {
		return ip
	}
	prefix, _ := addr.Prefix(64)
	return prefix.String()
}

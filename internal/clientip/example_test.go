package clientip_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/sessiond/sessiond/internal/clientip"
)

// A request that reached sessiond through a trusted proxy, carrying an
// X-Forwarded-For header whose leftmost entry the client wrote itself.
func ExampleResolver_ClientIP() {
	proxies, err := clientip.New([]string{"10.0.0.0/8"})
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "10.0.0.1:51234" // the proxy
	req.Header.Set("X-Forwarded-For", "6.6.6.6, 198.51.100.2, 10.0.0.7")
	fmt.Println(proxies.ClientIP(req))

	// The same header sent directly by a client is ignored.
	req.RemoteAddr = "198.51.100.2:40000"
	fmt.Println(proxies.ClientIP(req))
	// Output:
	// 198.51.100.2
	// 198.51.100.2
}

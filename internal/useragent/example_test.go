package useragent_test

import (
	"fmt"

	"github.com/sessiond/sessiond/internal/useragent"
)

func ExampleParse() {
	for _, ua := range []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
		"curl/8.4.0",
		"",
	} {
		fmt.Println(useragent.Parse(ua))
	}
	// Output:
	// Firefox 121 on Windows
	// Safari 17 on iOS
	// curl 8
	// Unknown browser
}

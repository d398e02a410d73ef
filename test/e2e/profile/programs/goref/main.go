// goref answers formatting and matching questions with Go's own standard library, as the reference
// for heapscope's reimplementation: fmt's %.2f / %5.2g / %g, time.Duration and time.Time strings,
// text/tabwriter, and regexp matching. It reads one JSON request on stdin and writes one JSON answer.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"text/tabwriter"
	"time"
)

type request struct {
	Floats    []string    `json:"floats"`    // float64 bit patterns, hex
	Durations []string    `json:"durations"` // int64 nanoseconds
	Times     []string    `json:"times"`     // unix nanoseconds
	Tabs      []string    `json:"tabs"`      // text for a right-aligned tabwriter
	Regexps   [][2]string `json:"regexps"`   // [pattern, input]
}

type floatAnswer struct {
	F2  string `json:"f2"`
	G52 string `json:"g52"`
	G2  string `json:"g2"`
	F0  string `json:"f0"`
}

type regexpAnswer struct {
	Valid bool `json:"valid"`
	Match bool `json:"match"`
}

type answer struct {
	Floats     []floatAnswer  `json:"floats"`
	Durations  []string       `json:"durations"`
	Durations4 []string       `json:"durations4"`
	Times      []string       `json:"times"`
	Layouts    []string       `json:"layouts"`
	Tabs       []string       `json:"tabs"`
	Regexps    []regexpAnswer `json:"regexps"`
}

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		panic(err)
	}
	var ans answer
	for _, h := range req.Floats {
		bits, err := strconv.ParseUint(h, 16, 64)
		if err != nil {
			panic(err)
		}
		v := math.Float64frombits(bits)
		ans.Floats = append(ans.Floats, floatAnswer{
			F2:  fmt.Sprintf("%.2f", v),
			G52: fmt.Sprintf("%5.2g", v),
			G2:  fmt.Sprintf("%.2g", v),
			F0:  fmt.Sprintf("%.0f", v),
		})
	}
	for _, d := range req.Durations {
		n, err := strconv.ParseInt(d, 10, 64)
		if err != nil {
			panic(err)
		}
		ans.Durations = append(ans.Durations, time.Duration(n).String())
		ans.Durations4 = append(ans.Durations4, fmt.Sprintf("%.4v", time.Duration(n)))
	}
	for _, t := range req.Times {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			panic(err)
		}
		ans.Times = append(ans.Times, fmt.Sprintf("%v", time.Unix(0, n)))
		ans.Layouts = append(ans.Layouts, time.Unix(0, n).Format("2006-01-02 15:04:05 MST"))
	}
	for _, text := range req.Tabs {
		var buf bytes.Buffer
		w := tabwriter.NewWriter(&buf, 0, 0, 1, ' ', tabwriter.AlignRight)
		fmt.Fprint(w, text)
		w.Flush()
		ans.Tabs = append(ans.Tabs, buf.String())
	}
	for _, pair := range req.Regexps {
		re, err := regexp.Compile(pair[0])
		if err != nil {
			ans.Regexps = append(ans.Regexps, regexpAnswer{})
			continue
		}
		ans.Regexps = append(ans.Regexps, regexpAnswer{Valid: true, Match: re.MatchString(pair[1])})
	}
	if err := json.NewEncoder(os.Stdout).Encode(ans); err != nil {
		panic(err)
	}
}

// benchmath-ref computes reference statistics with golang.org/x/perf/benchmath and
// github.com/aclements/go-moremath/stats, the code benchstat uses, so the tests can check
// heapscope's TypeScript statistics against them at full precision.
//
// Input (stdin, JSON): {"confidence": 0.95, "alpha": 0.05, "cases": [{"base": [...], "new": [...]}],
// "quantileCI": {"maxN": 60, "confidences": [0.95]}}.
// Output (stdout, JSON): every float is a string from strconv.FormatFloat(x, 'g', -1, 64), so ±Inf
// and NaN survive and no digit is lost.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/aclements/go-moremath/stats"
	"golang.org/x/perf/benchmath"
)

type input struct {
	Confidence float64     `json:"confidence"`
	Alpha      float64     `json:"alpha"`
	Cases      []inputCase `json:"cases"`
	QuantileCI struct {
		MaxN        int       `json:"maxN"`
		Confidences []float64 `json:"confidences"`
	} `json:"quantileCI"`
}

type inputCase struct {
	Base []float64 `json:"base"`
	New  []float64 `json:"new"`
}

type summary struct {
	Center     string   `json:"center"`
	Lo         string   `json:"lo"`
	Hi         string   `json:"hi"`
	Confidence string   `json:"confidence"`
	Warnings   []string `json:"warnings"`
}

type comparison struct {
	P        string   `json:"p"`
	Alpha    string   `json:"alpha"`
	Delta    string   `json:"delta"`
	Label    string   `json:"label"`
	Warnings []string `json:"warnings"`
}

type assumptionResult struct {
	Base       summary    `json:"base"`
	New        summary    `json:"new"`
	Comparison comparison `json:"comparison"`
}

type utest struct {
	U     string `json:"u"`
	P     string `json:"p"`
	Error string `json:"error,omitempty"`
}

type outputCase struct {
	Nothing assumptionResult `json:"nothing"`
	Exact   assumptionResult `json:"exact"`
	UTest   utest            `json:"utest"`
	GeoMean string           `json:"geomean"`
}

type quantileCI struct {
	N          int    `json:"n"`
	Confidence string `json:"requested"`
	Actual     string `json:"actual"`
	LoOrder    int    `json:"loOrder"`
	HiOrder    int    `json:"hiOrder"`
}

type output struct {
	Cases      []outputCase `json:"cases"`
	QuantileCI []quantileCI `json:"quantileCI"`
	// Lgamma holds math.Lgamma(m) for m = 0…31, which go-moremath's binomial coefficients use.
	Lgamma []string `json:"lgamma"`
}

func f(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func errs(list []error) []string {
	out := []string{}
	for _, e := range list {
		out = append(out, e.Error())
	}
	return out
}

func summarize(a benchmath.Assumption, values []float64, thr *benchmath.Thresholds, confidence float64) (*benchmath.Sample, benchmath.Summary) {
	s := benchmath.NewSample(append([]float64(nil), values...), thr)
	return s, a.Summary(s, confidence)
}

func run(a benchmath.Assumption, c inputCase, thr *benchmath.Thresholds, confidence float64) assumptionResult {
	s1, sum1 := summarize(a, c.Base, thr, confidence)
	s2, sum2 := summarize(a, c.New, thr, confidence)
	cmp := a.Compare(s1, s2)
	return assumptionResult{
		Base: summary{f(sum1.Center), f(sum1.Lo), f(sum1.Hi), f(sum1.Confidence), errs(sum1.Warnings)},
		New:  summary{f(sum2.Center), f(sum2.Lo), f(sum2.Hi), f(sum2.Confidence), errs(sum2.Warnings)},
		Comparison: comparison{
			P: f(cmp.P), Alpha: f(cmp.Alpha), Delta: cmp.FormatDelta(sum1.Center, sum2.Center),
			Label: cmp.String(), Warnings: errs(cmp.Warnings),
		},
	}
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "benchmath-ref:", err)
		os.Exit(2)
	}
	thr := benchmath.DefaultThresholds
	if in.Alpha != 0 {
		thr.CompareAlpha = in.Alpha
	}
	confidence := in.Confidence
	if confidence == 0 {
		confidence = 0.95
	}
	var out output
	for _, c := range in.Cases {
		oc := outputCase{
			Nothing: run(benchmath.AssumeNothing, c, &thr, confidence),
			Exact:   run(benchmath.AssumeExact, c, &thr, confidence),
		}
		res, err := stats.MannWhitneyUTest(c.Base, c.New, stats.LocationDiffers)
		if err != nil {
			oc.UTest = utest{Error: err.Error()}
		} else {
			oc.UTest = utest{U: f(res.U), P: f(res.P)}
		}
		oc.GeoMean = f(stats.GeoMean(append(append([]float64(nil), c.Base...), c.New...)))
		out.Cases = append(out.Cases, oc)
	}
	for _, conf := range in.QuantileCI.Confidences {
		for n := 1; n <= in.QuantileCI.MaxN; n++ {
			ci := stats.QuantileCI(n, 0.5, conf)
			out.QuantileCI = append(out.QuantileCI, quantileCI{n, f(conf), f(ci.Confidence), ci.LoOrder, ci.HiOrder})
		}
	}
	for m := 0; m <= 31; m++ {
		v, _ := math.Lgamma(float64(m))
		out.Lgamma = append(out.Lgamma, f(v))
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "benchmath-ref:", err)
		os.Exit(2)
	}
}

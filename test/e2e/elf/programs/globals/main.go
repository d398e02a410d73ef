// Prints, as one JSON line, the run-time addresses and sizes of globals in each data section and
// the code addresses and runtime names of a closure and a function, for the ELF reader's tests.
package main

import (
	"encoding/json"
	"os"
	"reflect"
	"runtime"
	"unsafe"
)

type entry struct {
	Name string
	Data []byte
}

// One global per section kind: pointers and a static initial value (.data), pointers and zero
// (.bss), no pointers with a value (.noptrdata), no pointers and zero (.noptrbss). A map literal is
// built at run time, so registry's section is the linker's choice.
var fallback = entry{Name: "fallback"}
var pending []*entry
var registry = map[string]*entry{"seed": {Name: "seed"}}
var limits = [4]int64{1, 2, 3, 4}
var counters [512]uint64

type global struct {
	Name    string  `json:"name"`
	Section string  `json:"section"`
	Addr    uintptr `json:"addr"`
	Size    uintptr `json:"size"`
}

type function struct {
	Pc    uintptr `json:"pc"`
	Entry uintptr `json:"entry"`
	Name  string  `json:"name"`
}

//go:noinline
func callerPc() uintptr {
	pc, _, _, _ := runtime.Caller(0)
	return pc
}

func main() {
	pending = append(pending, registry["seed"], &fallback)
	counters[1] = uint64(len(pending))
	closure := func() int { return len(pending) + int(limits[0]) }
	closurePc := reflect.ValueOf(closure).Pointer()
	midPc := callerPc()
	describe := func(pc uintptr) function {
		f := runtime.FuncForPC(pc)
		return function{Pc: pc, Entry: f.Entry(), Name: f.Name()}
	}
	report := map[string]interface{}{
		"globals": []global{
			{"main.fallback", "data", uintptr(unsafe.Pointer(&fallback)), unsafe.Sizeof(fallback)},
			{"main.registry", "", uintptr(unsafe.Pointer(&registry)), unsafe.Sizeof(registry)},
			{"main.pending", "bss", uintptr(unsafe.Pointer(&pending)), unsafe.Sizeof(pending)},
			{"main.limits", "noptrdata", uintptr(unsafe.Pointer(&limits)), unsafe.Sizeof(limits)},
			{"main.counters", "noptrbss", uintptr(unsafe.Pointer(&counters)), unsafe.Sizeof(counters)},
		},
		"functions":     []function{describe(closurePc), describe(midPc)},
		"closureResult": closure(),
	}
	json.NewEncoder(os.Stdout).Encode(report)
}

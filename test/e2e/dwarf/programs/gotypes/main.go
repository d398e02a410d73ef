// gotypes has globals of every shape heapscope's DWARF reader must describe, and prints what the
// program itself knows about them (addresses, sizes, field offsets from unsafe) as one JSON line.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"unsafe"
)

type record struct {
	id      int
	payload []byte
	name    string
	next    *record
}

type base struct {
	created int64
	owner   *record
}

type queue struct {
	base
	items []*record
	head  int
	byKey map[string][]byte
	done  chan struct{}
	hook  func(*record) error
	any   interface{}
	str   fmt.Stringer
	grid  [3][2]uint16
}

// control looks like a slice header word for word: a pointer and two ints.
type control struct {
	p    *record
	a, b int
}

type recordList []*record

type bigValue struct{ data [40]int64 }

var (
	pending  []*record
	registry = map[string]*record{}
	bigMap   map[[200]byte]bigValue
	q        = &queue{}
	ctl      control
	anyv     interface{}
	stringer fmt.Stringer
	events   chan *record
	callback func() int
	fixed    [4]*record
	named    recordList
	text     string
	counter  int32
)

func main() {
	n := 5
	callback = func() int { n++; return n + len(pending) }
	pending = append(pending, &record{id: 1})
	registry["a"] = &record{}
	bigMap = map[[200]byte]bigValue{}
	events = make(chan *record, 3)
	anyv = q
	named = recordList{nil}
	text = "hello"
	callback()
	var r record
	var qq queue
	report := map[string]interface{}{
		"globals": []map[string]interface{}{
			global("main.pending", unsafe.Pointer(&pending), unsafe.Sizeof(pending)),
			global("main.registry", unsafe.Pointer(&registry), unsafe.Sizeof(registry)),
			global("main.bigMap", unsafe.Pointer(&bigMap), unsafe.Sizeof(bigMap)),
			global("main.q", unsafe.Pointer(&q), unsafe.Sizeof(q)),
			global("main.ctl", unsafe.Pointer(&ctl), unsafe.Sizeof(ctl)),
			global("main.anyv", unsafe.Pointer(&anyv), unsafe.Sizeof(anyv)),
			global("main.stringer", unsafe.Pointer(&stringer), unsafe.Sizeof(stringer)),
			global("main.events", unsafe.Pointer(&events), unsafe.Sizeof(events)),
			global("main.callback", unsafe.Pointer(&callback), unsafe.Sizeof(callback)),
			global("main.fixed", unsafe.Pointer(&fixed), unsafe.Sizeof(fixed)),
			global("main.named", unsafe.Pointer(&named), unsafe.Sizeof(named)),
			global("main.text", unsafe.Pointer(&text), unsafe.Sizeof(text)),
			global("main.counter", unsafe.Pointer(&counter), unsafe.Sizeof(counter)),
		},
		"sizes": map[string]uintptr{
			"main.record":   unsafe.Sizeof(r),
			"main.queue":    unsafe.Sizeof(qq),
			"main.control":  unsafe.Sizeof(ctl),
			"main.bigValue": unsafe.Sizeof(bigValue{}),
		},
		"offsets": map[string]uintptr{
			"main.record.payload": unsafe.Offsetof(r.payload),
			"main.record.name":    unsafe.Offsetof(r.name),
			"main.record.next":    unsafe.Offsetof(r.next),
			"main.queue.base":     unsafe.Offsetof(qq.base),
			"main.queue.items":    unsafe.Offsetof(qq.items),
			"main.queue.head":     unsafe.Offsetof(qq.head),
			"main.queue.byKey":    unsafe.Offsetof(qq.byKey),
			"main.queue.done":     unsafe.Offsetof(qq.done),
			"main.queue.hook":     unsafe.Offsetof(qq.hook),
			"main.queue.any":      unsafe.Offsetof(qq.any),
			"main.queue.str":      unsafe.Offsetof(qq.str),
			"main.queue.grid":     unsafe.Offsetof(qq.grid),
		},
		"closure": fmt.Sprintf("%p", callback),
		// The type word of an interface{} holding a *queue: the runtime's descriptor of *main.queue.
		"queuePointerType": (*[2]uintptr)(unsafe.Pointer(&anyv))[0],
	}
	line, err := json.Marshal(report)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(line))
}

func global(name string, p unsafe.Pointer, size uintptr) map[string]interface{} {
	return map[string]interface{}{"name": name, "addr": uintptr(p), "size": size}
}

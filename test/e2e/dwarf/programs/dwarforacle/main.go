// dwarforacle reads a Go binary's DWARF with the standard library (debug/elf, debug/dwarf) and prints
// what heapscope's own reader must also find: every global with an address, the layout of each
// structure type, and the variables closures capture (DW_AT_go_closure_offset), as one JSON document.
package main

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

const attrGoKind = dwarf.Attr(0x2900)
const attrGoClosureOffset = dwarf.Attr(0x2907)

type field struct {
	Name   string `json:"name"`
	Offset int64  `json:"offset"`
	Type   string `json:"type"`
}

type structType struct {
	Size   int64   `json:"size"`
	Kind   int64   `json:"kind"`
	Fields []field `json:"fields"`
}

type global struct {
	Name    string `json:"name"`
	Address uint64 `json:"address"`
	Type    string `json:"type"`
}

type capture struct {
	Function string `json:"function"`
	Name     string `json:"name"`
	Offset   int64  `json:"offset"`
	Type     string `json:"type"`
}

type report struct {
	Globals  []global              `json:"globals"`
	Structs  map[string]structType `json:"structs"`
	Captures []capture             `json:"captures"`
}

func main() {
	if len(os.Args) != 2 {
		fail(fmt.Errorf("usage: dwarforacle BINARY"))
	}
	f, err := elf.Open(os.Args[1])
	if err != nil {
		fail(err)
	}
	data, err := f.DWARF()
	if err != nil {
		fail(err)
	}
	out := report{Structs: map[string]structType{}}
	r := data.Reader()
	// parents holds the name of each enclosing entry that has children ("" when it is not a function).
	var parents []string
	for {
		e, err := r.Next()
		if err != nil {
			fail(err)
		}
		if e == nil {
			break
		}
		if e.Tag == 0 {
			parents = parents[:len(parents)-1]
			continue
		}
		function := ""
		if len(parents) > 0 {
			function = parents[len(parents)-1]
		}
		switch e.Tag {
		case dwarf.TagVariable:
			if len(parents) == 1 || function != "" {
				visitVariable(data, e, function, &out)
			}
		case dwarf.TagStructType:
			visitStruct(data, e, &out)
		}
		if e.Children {
			name := ""
			if e.Tag == dwarf.TagSubprogram && len(parents) == 1 {
				name, _ = e.Val(dwarf.AttrName).(string)
				if origin, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok && name == "" {
					name = typeName(data, origin) // the abstract entry's name
				}
			}
			parents = append(parents, name)
		}
	}
	sort.Slice(out.Globals, func(i, j int) bool { return out.Globals[i].Address < out.Globals[j].Address })
	line, err := json.Marshal(out)
	if err != nil {
		fail(err)
	}
	fmt.Println(string(line))
}

// typeName is the DW_AT_name of the entry at off (a type, or a function's abstract entry), following plain typedefs as Go writes them
// for named types: the name Go gives the type.
func typeName(data *dwarf.Data, off dwarf.Offset) string {
	r := data.Reader()
	r.Seek(off)
	e, err := r.Next()
	if err != nil || e == nil {
		return ""
	}
	name, _ := e.Val(dwarf.AttrName).(string)
	return name
}

func visitVariable(data *dwarf.Data, e *dwarf.Entry, function string, out *report) {
	name, _ := e.Val(dwarf.AttrName).(string)
	typeOff, _ := e.Val(dwarf.AttrType).(dwarf.Offset)
	if offset, ok := e.Val(attrGoClosureOffset).(int64); ok && function != "" {
		out.Captures = append(out.Captures, capture{function, name, offset, typeName(data, typeOff)})
		return
	}
	loc, ok := e.Val(dwarf.AttrLocation).([]byte)
	if !ok || len(loc) != 9 || loc[0] != 0x03 || function != "" {
		return // not a plain DW_OP_addr global (8-byte addresses)
	}
	var addr uint64
	for i := 8; i >= 1; i-- {
		addr = addr<<8 | uint64(loc[i])
	}
	out.Globals = append(out.Globals, global{name, addr, typeName(data, typeOff)})
}

func visitStruct(data *dwarf.Data, e *dwarf.Entry, out *report) {
	t, err := data.Type(e.Offset)
	if err != nil {
		return
	}
	st, ok := t.(*dwarf.StructType)
	if !ok || st.StructName == "" {
		return
	}
	kind, _ := e.Val(attrGoKind).(int64)
	s := structType{Size: st.ByteSize, Kind: kind}
	types := memberTypeNames(data, e)
	for i, f := range st.Field {
		name := ""
		if i < len(types) {
			name = types[i]
		}
		s.Fields = append(s.Fields, field{f.Name, f.ByteOffset, name})
	}
	out.Structs[st.StructName] = s
}

// memberTypeNames lists the type names of the members of the structure entry e, in order.
func memberTypeNames(data *dwarf.Data, e *dwarf.Entry) []string {
	r := data.Reader()
	r.Seek(e.Offset)
	if _, err := r.Next(); err != nil {
		return nil
	}
	var names []string
	for {
		m, err := r.Next()
		if err != nil || m == nil || m.Tag == 0 {
			return names
		}
		if m.Tag == dwarf.TagMember {
			off, _ := m.Val(dwarf.AttrType).(dwarf.Offset)
			names = append(names, typeName(data, off))
		}
		if m.Children {
			r.SkipChildren()
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "dwarforacle:", err)
	os.Exit(1)
}

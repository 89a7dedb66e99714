package places_test

import (
	"fmt"

	"fieldsync/places"
)

func ExampleSearch() {
	for _, p := range places.Search("可可以力更", 3) {
		fmt.Println(p.Code, p.Level, p.Path)
	}
	// Output:
	// 150125100 苏木乡镇 呼和浩特市 / 武川县 / 可可以力更镇
}

func ExampleName() {
	fmt.Println(places.Name("150125100003"))
	fmt.Println(places.Name("150125000000"))
	fmt.Println(places.Name("159999999999"))
	// Output:
	// 东官井社区居民委员会
	// 武川县
	// 159999999999
}

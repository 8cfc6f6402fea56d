package glue

import (
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"strconv"
	"strings"
	"time"
)

// AWS's cron expressions, as crawler schedules take them:
// cron(Minutes Hours Day-of-month Month Day-of-week Year), UTC, with , - * /
// in every field, ? in one of the two day fields, L (last day of the month;
// in day-of-week "6L" the month's last Friday), W (the weekday nearest a day
// of the month) and # ("6#3", the third Friday). Days of the week run 1-7 from
// Sunday, or SUN-SAT; months 1-12 or JAN-DEC.

type cronSpec struct {
	min, hour, month, year map[int]bool
	dom                    map[int]bool
	domAny, dowAny         bool
	domLast                bool
	domWeekday             int          // nW: the weekday nearest day n (0 when none)
	dow                    map[int]bool // 1 = Sunday
	dowLast                int          // nL: the last such weekday of the month (0 when none)
	dowNth                 [2]int       // n#k: the k-th such weekday
}

var monthNames = lazy.Value[map[string]int]{New: func() map[string]int {
	return map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
}}
var dayNames = lazy.Value[map[string]int]{New: func() map[string]int {
	return map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
}}

func parseSchedule(expr string) (*cronSpec, error) {
	e := strings.TrimSpace(expr)
	if !strings.HasPrefix(e, "cron(") || !strings.HasSuffix(e, ")") {
		return nil, fmt.Errorf("a schedule is cron(...)")
	}
	f := strings.Fields(e[5 : len(e)-1])
	if len(f) != 6 {
		return nil, fmt.Errorf("a cron expression has 6 fields, not %d", len(f))
	}
	c := &cronSpec{}
	var err error
	if c.min, err = cronField(f[0], 0, 59, nil); err != nil {
		return nil, fmt.Errorf("minutes: %v", err)
	}
	if c.hour, err = cronField(f[1], 0, 23, nil); err != nil {
		return nil, fmt.Errorf("hours: %v", err)
	}
	if c.month, err = cronField(f[3], 1, 12, monthNames.Get()); err != nil {
		return nil, fmt.Errorf("month: %v", err)
	}
	if c.year, err = cronField(f[5], 1970, 2199, nil); err != nil {
		return nil, fmt.Errorf("year: %v", err)
	}
	dom, dow := strings.ToUpper(f[2]), strings.ToUpper(f[4])
	if (dom == "?") == (dow == "?") {
		return nil, fmt.Errorf("exactly one of day-of-month and day-of-week must be ?")
	}
	switch {
	case dom == "?":
		c.domAny = true
	case dom == "L":
		c.domLast = true
	case strings.HasSuffix(dom, "W"):
		n, err := strconv.Atoi(strings.TrimSuffix(dom, "W"))
		if err != nil || n < 1 || n > 31 {
			return nil, fmt.Errorf("day-of-month: bad %q", dom)
		}
		c.domWeekday = n
	default:
		if c.dom, err = cronField(dom, 1, 31, nil); err != nil {
			return nil, fmt.Errorf("day-of-month: %v", err)
		}
	}
	switch {
	case dow == "?":
		c.dowAny = true
	case strings.Contains(dow, "#"):
		a, b, _ := strings.Cut(dow, "#")
		d, err1 := dayNum(a)
		k, err2 := strconv.Atoi(b)
		if err1 != nil || err2 != nil || k < 1 || k > 5 {
			return nil, fmt.Errorf("day-of-week: bad %q", dow)
		}
		c.dowNth = [2]int{d, k}
	case strings.HasSuffix(dow, "L") && dow != "L":
		d, err := dayNum(strings.TrimSuffix(dow, "L"))
		if err != nil {
			return nil, fmt.Errorf("day-of-week: bad %q", dow)
		}
		c.dowLast = d
	case dow == "L":
		c.dowLast = 7
	default:
		if c.dow, err = cronField(dow, 1, 7, dayNames.Get()); err != nil {
			return nil, fmt.Errorf("day-of-week: %v", err)
		}
	}
	return c, nil
}

func dayNum(s string) (int, error) {
	if d, ok := dayNames.Get()[s]; ok {
		return d, nil
	}
	d, err := strconv.Atoi(s)
	if err != nil || d < 1 || d > 7 {
		return 0, fmt.Errorf("bad day %q", s)
	}
	return d, nil
}

func cronField(s string, lo, hi int, names map[string]int) (map[int]bool, error) {
	out := map[int]bool{}
	num := func(x string) (int, error) {
		if n, ok := names[strings.ToUpper(x)]; ok {
			return n, nil
		}
		n, err := strconv.Atoi(x)
		if err != nil || n < lo || n > hi {
			return 0, fmt.Errorf("%q is not in %d-%d", x, lo, hi)
		}
		return n, nil
	}
	for _, part := range strings.Split(s, ",") {
		rng, stepS, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			var err error
			if step, err = strconv.Atoi(stepS); err != nil || step < 1 {
				return nil, fmt.Errorf("bad step in %q", part)
			}
		}
		a, b := lo, hi
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			x, y, _ := strings.Cut(rng, "-")
			var err error
			if a, err = num(x); err != nil {
				return nil, err
			}
			if b, err = num(y); err != nil {
				return nil, err
			}
			if b < a {
				return nil, fmt.Errorf("range %q runs backwards", rng)
			}
		default:
			var err error
			if a, err = num(rng); err != nil {
				return nil, err
			}
			if !hasStep {
				b = a
			}
		}
		for v := a; v <= b; v += step {
			out[v] = true
		}
	}
	return out, nil
}

// dayMatches reports whether the schedule runs on day d (UTC midnight).
func (c *cronSpec) dayMatches(d time.Time) bool {
	if !c.year[d.Year()] || !c.month[int(d.Month())] {
		return false
	}
	last := time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	wd := int(d.Weekday()) + 1 // 1 = Sunday
	switch {
	case !c.domAny:
		switch {
		case c.domLast:
			return d.Day() == last
		case c.domWeekday > 0:
			target := min(c.domWeekday, last)
			t := time.Date(d.Year(), d.Month(), target, 0, 0, 0, 0, time.UTC)
			switch t.Weekday() {
			case time.Saturday:
				if target == 1 {
					target += 2
				} else {
					target--
				}
			case time.Sunday:
				if target == last {
					target -= 2
				} else {
					target++
				}
			}
			return d.Day() == target
		}
		return c.dom[d.Day()]
	case c.dowLast > 0:
		return wd == c.dowLast && d.Day()+7 > last
	case c.dowNth[0] > 0:
		return wd == c.dowNth[0] && (d.Day()-1)/7+1 == c.dowNth[1]
	}
	return c.dow[wd]
}

// next is the first time the schedule fires strictly after t, or the zero
// time when it never does again.
func (c *cronSpec) next(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Minute).Add(time.Minute)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for i := 0; i < 366*5; i++ {
		if c.dayMatches(day) {
			for h := 0; h < 24; h++ {
				if !c.hour[h] {
					continue
				}
				for m := 0; m < 60; m++ {
					if !c.min[m] {
						continue
					}
					at := day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
					if !at.Before(t) {
						return at
					}
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}
}

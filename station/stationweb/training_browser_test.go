package stationweb

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldsync/ident"
	"fieldsync/internal/browsertest"
	"fieldsync/records"
	"fieldsync/station"
)

// TestBrowserTrainingAndJob drives the real UI: staff open a course from
// the training list, find a person on its page and enrol them with a
// skill-level certificate; without the certificate's level the form is
// refused on certificate_level, in Chinese, keeping what was typed; with it
// the course page lists the person with the certificate, and so does the
// person's page. Then staff post a 全职 job: choosing the kind offers only
// 元/月 and 月结, the job fair select lists the station's fair, and the
// saved job's page shows its kind, that it suits older workers and its fair.
func TestBrowserTrainingAndJob(t *testing.T) {
	b := browsertest.New(t)
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	ctx := context.Background()
	wid, err := f.st.CreateWorker(ctx, records.Worker{IDNumber: idNumber("19700808", 41), Name: "其木格",
		Ethnicity: "蒙古族", HukouVillage: "150421100207", Education: "初中", LabourAbility: "普通劳动力"})
	if err != nil {
		t.Fatal(err)
	}
	course, err := f.st.SaveProgramme(ctx, records.Trainings, ident.Zero, &records.Training{Course: "中式烹调师",
		Kind: "技能", Skill: "厨师", StartOn: "2026-10-08", EndOn: "2026-10-28"})
	if err != nil {
		t.Fatal(err)
	}
	fair, err := f.st.SaveProgramme(ctx, records.JobFairs, ident.Zero, &records.JobFair{Title: "大龄专场招聘会",
		Kind: "大龄专场", HeldOn: "2026-11-10", Place: "县人力资源市场"})
	if err != nil {
		t.Fatal(err)
	}

	do, get := b.Do, b.Get
	type css = chromedp.CSS
	do(
		chromedp.Navigate(srv.URL+"/services/trainings"),
		chromedp.WaitVisible(css(`#trainings`)),
		chromedp.Click(css(`#trainings a[href="/services/trainings/`+course.String()+`"]`)),
		chromedp.WaitVisible(css(`#training`)),
		chromedp.SendKeys(css(`#person-q`), "其木格"),
		chromedp.Click(css(`#find-person`)),
	)
	b.WaitURL("q=")
	do(
		chromedp.WaitVisible(css(`#found a.add-person`)),
		chromedp.Click(css(`#found a.add-person`)),
		chromedp.WaitVisible(css(`#f-completed`)),
		chromedp.Click(css(`#f-completed`)),
		chromedp.SetValue(css(`#f-completed_on`), "2026-10-28"),
		chromedp.SetValue(css(`#f-certificate_kind`), records.CertificateSkillLevel),
		chromedp.SendKeys(css(`#f-certificate_no`), "S150421-0001"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#err-certificate_level`)),
	)
	if e := get(chromedp.Text(css(`#err-certificate_level`))); !strings.Contains(e, "证书等级") {
		t.Fatalf("certificate_level error %q", e)
	}
	if kept := get(chromedp.Value(css(`#f-certificate_no`))); kept != "S150421-0001" {
		t.Fatalf("certificate number kept as %q", kept)
	}
	if es, err := f.st.Enrolments(ctx, station.EnrolmentQuery{}); err != nil || len(es) != 0 {
		t.Fatalf("enrolments after the refusal: %v %v", es, err)
	}
	do(
		chromedp.SetValue(css(`#f-certificate_level`), "四级/中级工"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#enrolments`)),
	)
	if text := get(chromedp.Text(css(`#enrolments`))); !strings.Contains(text, "其木格") ||
		!strings.Contains(text, "S150421-0001") || !strings.Contains(text, "四级/中级工") {
		t.Fatalf("enrolments %q", text)
	}
	if counts := get(chromedp.Text(css(`#training-counts`))); counts != "1 / 1 / 1" {
		t.Fatalf("course counts %q", counts)
	}
	do(
		chromedp.Navigate(srv.URL+"/workers/"+wid.String()),
		chromedp.WaitVisible(css(`#worker-trainings`)),
	)
	if text := get(chromedp.Text(css(`#worker-trainings`))); !strings.Contains(text, "中式烹调师") ||
		!strings.Contains(text, "S150421-0001") {
		t.Fatalf("the person's trainings %q", text)
	}

	// A 全职 job: the kind offers the monthly pay only.
	do(
		chromedp.Navigate(srv.URL+"/gigs/new"),
		chromedp.WaitVisible(css(`#f-kind`)),
	)
	get(chromedp.Evaluate[string](`(function () {
		var k = document.getElementById('f-kind');
		k.value = '全职';
		k.dispatchEvent(new Event('change'));
		return k.value;
	})()`))
	if unit := get(chromedp.Value(css(`#f-wage_unit`))); unit != records.MonthlyWageUnit {
		t.Fatalf("wage unit after choosing 全职: %q", unit)
	}
	if settle := get(chromedp.Value(css(`#f-settlement`))); settle != records.MonthlySettlement {
		t.Fatalf("settlement after choosing 全职: %q", settle)
	}
	if offered := get(chromedp.Evaluate[string](`Array.from(document.querySelectorAll('#f-wage_unit option'))
		.filter(function (o) { return o.value && !o.disabled; }).map(function (o) { return o.value; }).join(',')`)); offered != records.MonthlyWageUnit {
		t.Fatalf("wage units offered for 全职: %q", offered)
	}
	if fairs := get(chromedp.Text(css(`#f-job_fair_id`))); !strings.Contains(fairs, "大龄专场招聘会") {
		t.Fatalf("job fairs offered: %q", fairs)
	}
	do(
		chromedp.SendKeys(css(`#f-title`), "物业保洁"),
		chromedp.SendKeys(css(`#f-occupation`), "保洁员"),
		chromedp.SendKeys(css(`#f-wage`), "3000"),
		chromedp.SetValue(css(`#f-place`), "150421100"),
		chromedp.SendKeys(css(`#f-employer`), "县城物业公司"),
		chromedp.SendKeys(css(`#f-contact`), "13800138000"),
		chromedp.Click(css(`#f-suits_older`)),
		chromedp.SetValue(css(`#f-job_fair_id`), fair.String()),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#gig-kind`)),
	)
	if kind := get(chromedp.Text(css(`#gig-kind`))); kind != records.GigKindJob {
		t.Fatalf("job kind %q", kind)
	}
	if fairText := get(chromedp.Text(css(`#gig-job-fair`))); !strings.Contains(fairText, "大龄专场招聘会") {
		t.Fatalf("job fair %q", fairText)
	}
	get(chromedp.Text(css(`#gig-suits-older`)))
	page, err := f.st.FindGigs(ctx, station.GigQuery{Kind: records.GigKindJob, SuitsOlder: true})
	if err != nil || page.Total != 1 || page.Gigs[0].WageUnit != records.MonthlyWageUnit ||
		page.Gigs[0].Settlement != records.MonthlySettlement || page.Gigs[0].JobFairID != fair.String() {
		t.Fatalf("the job saved: %+v %v", page, err)
	}
	// The list filters by kind.
	do(
		chromedp.Navigate(srv.URL+"/gigs?kind=全职&suits_older=1"),
		chromedp.WaitVisible(css(`#gigs`)),
	)
	if text := get(chromedp.Text(css(`#gigs`))); !strings.Contains(text, "物业保洁") || !strings.Contains(text, "全职") {
		t.Fatalf("jobs list %q", text)
	}
}

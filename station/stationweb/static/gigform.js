// The gig form's kind (零工 or 全职) offers the pay that fits it: a 全职 job
// is paid 元/月 and settled 月结, a 零工 gig by the day, hour or piece and
// settled daily, weekly or on completion (the rule kind_pay the station
// checks again on save).
(function () {
  "use strict";
  var kind = document.getElementById("f-kind");
  var unit = document.getElementById("f-wage_unit");
  var settle = document.getElementById("f-settlement");
  if (!kind || !unit || !settle) {
    return;
  }
  var pairs = [[unit, "元/月"], [settle, "月结"]];
  function fit() {
    var job = kind.value === "全职";
    pairs.forEach(function (p) {
      var sel = p[0], monthly = p[1];
      for (var i = 0; i < sel.options.length; i++) {
        var o = sel.options[i];
        if (!o.value) {
          continue;
        }
        var ok = job ? o.value === monthly : o.value !== monthly;
        o.disabled = !ok;
        o.hidden = !ok;
      }
      if (job) {
        sel.value = monthly;
      } else if (sel.value === monthly) {
        sel.value = "";
      }
    });
  }
  kind.addEventListener("change", fit);
  fit();
})();

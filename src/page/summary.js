"use strict";
/* 问题汇总 on the page: under a ranking, for each rubric, the check points
 * on which units lost points, most units first, grouped by item, with the
 * units named, and a bar for each of the ten lost most often.  Every
 * number is the engine's (the JSON's "summary"); nothing is computed here
 * but the bar widths. */
(function () {
  function pct(n, of) { return of ? Math.round(100 * n / of) : 0; }
  function line(c, of) {
    return c.check + " " + c.label + "：失分单位 " + c.units + "/" + of + "（" + c.share +
      "%），共失分 " + c.lost + " 分";
  }
  function rubricTitle(id) {
    var r = rubricOf(id);
    return r ? rubricName(r) : id;
  }
  function bars(s) {
    var all = [];
    s.items.forEach(function (it) { it.checks.forEach(function (c) { if (c.units > 0) all.push(c); }); });
    all.sort(function (a, b) { return b.units - a.units || Number(b.lost) - Number(a.lost); });
    all = all.slice(0, 10);
    var box = el("div", null, "sumbars");
    all.forEach(function (c) {
      var r = el("div", null, "sumbar");
      var name = el("span", c.check + " " + c.label, "sumlabel");
      name.title = name.textContent; /* the whole label, when cut short */
      r.appendChild(name);
      var b = el("span", null, "sumfill");
      b.style.width = Math.max(2, pct(c.units, s.units)) * 2.4 + "px";
      r.appendChild(b);
      r.appendChild(el("span", c.units + " 个单位", "note"));
      box.appendChild(r);
    });
    return all.length ? box : null;
  }
  function show(doc, out) {
    var list = doc && doc.result && doc.result.summary || [];
    var old = document.getElementById("summaryview");
    if (old) old.remove();
    if (!list.length) return;
    var sec = el("div"); sec.id = "summaryview";
    sec.appendChild(el("h3", "问题汇总（按失分单位数排列；已计分的单位，含一票否决的）"));
    list.forEach(function (s) {
      var d = el("details");
      var lost = s.items.filter(function (it) { return it.units > 0; });
      d.appendChild(el("summary", rubricTitle(s.rubric) + "：" + s.units + " 个单位，" +
        (lost.length ? lost.length + " 个考核项目有单位失分" : "没有单位失分")));
      var b = bars(s);
      if (b) { d.appendChild(el("p", "失分最多的检查点（前十）：", "note")); d.appendChild(b); }
      lost.forEach(function (it) {
        d.appendChild(el("h4", it.item + " " + it.name + "：失分单位 " + it.units + "/" + s.units +
          "（" + it.share + "%），共失分 " + it.lost + " 分"));
        var ul = el("ul");
        it.checks.filter(function (c) { return c.units > 0; }).forEach(function (c) {
          var li = el("li", line(c, s.units));
          li.appendChild(el("div", "失分单位：" + c.unit_names.join("、"), "note"));
          ul.appendChild(li);
        });
        d.appendChild(ul);
      });
      sec.appendChild(d);
    });
    out.appendChild(sec);
  }
  areas.push({render: function () {}, result: show});
})();

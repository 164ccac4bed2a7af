"use strict";
/* 公示与申诉 (src/serve/publication.c): the bureau publishes a rubric's
 * results until a closing date, decides the appeals (维持 or 改判, with a
 * reason) and makes the results final (定稿); a unit's 填报员 sees its own
 * published scoresheet with the reasons and appeals a check point.  The
 * server keeps every rule; this page only shows what it answers. */
(function () {
  var sec = null, current = "";
  function role() { return state && state.role ? state.role : "admin"; }
  function isStaff() { return role() === "admin" || role() === "reviewer"; }
  function jsonPost(url, obj, done) {
    var x = new XMLHttpRequest();
    x.open("POST", url);
    x.setRequestHeader("Content-Type", "application/json");
    x.onload = function () {
      var doc; try { doc = JSON.parse(x.responseText); } catch (e) { doc = {error: "服务器的回答无法读取（" + x.status + "）"}; }
      done(x.status, doc);
    };
    x.onerror = function () { done(0, {error: "无法连接 kaohe 服务：它还在运行吗？"}); };
    x.send(JSON.stringify(obj));
  }
  function build() {
    sec = el("section"); sec.id = "appeal";
    sec.appendChild(el("h2", "公示与申诉"));
    var p = el("p");
    var lab = el("label", "考核细则 ");
    var sel = el("select"); sel.id = "appealrubric"; sel.style.maxWidth = "100%";
    sel.onchange = function () { current = sel.value; load(); };
    lab.appendChild(sel); p.appendChild(lab);
    sec.appendChild(p);
    var body = el("div"); body.id = "appealbody";
    sec.appendChild(body);
    ($("app") || document.body).appendChild(sec);
  }
  function msg(text, cls) { var m = $("appealmsg"); if (m) { m.textContent = text || ""; m.className = cls || "err"; } }
  function statusLine(pub, today) {
    if (!pub.published) return "尚未公示";
    if (pub.final_at) return "已定稿（" + pub.final_at + "）";
    return (pub.closes >= today ? "公示中，申诉截止日期 " : "公示已于 ") + pub.closes +
      (pub.closes >= today ? "" : " 截止，待定稿") + (pub.with_ranking ? "（同时公示排名）" : "");
  }
  function decideForm(a, body) {
    var f = el("span");
    var d = el("select");
    ["维持", "改判"].forEach(function (t) { var o = el("option", t); o.value = t; d.appendChild(o); });
    var res = el("input"); res.placeholder = "改判后的结果（有/无/次数）"; res.size = 10; res.className = "hidden";
    d.onchange = function () { res.className = d.value === "改判" ? "" : "hidden"; };
    var why = el("input"); why.placeholder = "复核理由"; why.size = 24;
    var b = el("button", "提交复核");
    b.onclick = function () {
      jsonPost("/api/appeal/decide", {id: a.id, decision: d.value, result: res.value, reason: why.value},
        function (st, doc) { if (st === 200) { msg("已复核", "ok"); load(); } else msg(doc.error); });
    };
    [d, res, why, b].forEach(function (x) { f.appendChild(x); f.appendChild(document.createTextNode(" ")); });
    return f;
  }
  function appealsTable(list, staff) {
    var t = el("table"); t.className = "appeals";
    t.appendChild(row(["单位", "检查点", "申诉理由", "提交", "状态", "复核"], "th"));
    list.forEach(function (a) {
      var r = row([a.unit, a.cp, a.argument, a.filed_by + " " + a.filed_at, a.state]);
      var td = el("td");
      if (a.state === "待复核") {
        if (staff) td.appendChild(decideForm(a)); else td.textContent = "等待复核";
      } else {
        td.textContent = (a.state === "改判" ? "改判为“" + a.result + "”：" : "维持：") + a.reason +
          "（" + a.decided_by + " " + a.decided_at + "）";
      }
      r.appendChild(td);
      t.appendChild(r);
    });
    return t;
  }
  function staffView(doc, body) {
    var pub = doc.publication;
    if (role() === "admin" && !pub.final_at) {
      var p = el("p");
      p.appendChild(el("span", pub.published ? "改期：" : "公示结果，申诉截止日期 "));
      var date = el("input"); date.type = "date"; date.id = "appealcloses"; date.value = pub.closes || "";
      var withRank = el("input"); withRank.type = "checkbox"; withRank.id = "appealwithranking";
      withRank.checked = !!pub.with_ranking;
      var lab = el("label"); lab.appendChild(withRank); lab.appendChild(document.createTextNode("同时公示排名"));
      var b = el("button", "公示"); b.id = "appealpublish";
      b.onclick = function () {
        jsonPost("/api/publish", {rubric: current, closes: date.value, with_ranking: withRank.checked},
          function (st, d) { if (st === 200) { msg("已公示", "ok"); load(); } else msg(d.error); });
      };
      [date, lab, b].forEach(function (x) { p.appendChild(document.createTextNode(" ")); p.appendChild(x); });
      body.appendChild(p);
      if (pub.published) {
        var fb = el("button", "定稿"); fb.id = "appealfinal";
        fb.onclick = function () {
          jsonPost("/api/finalise", {rubric: current},
            function (st, d) { if (st === 200) { msg("已定稿", "ok"); load(); } else msg(d.error); });
        };
        var fp = el("p"); fp.appendChild(fb);
        fp.appendChild(el("span", "　公示截止日期的次日起、全部申诉复核后可以定稿；定稿后结果不再改动。", "note"));
        body.appendChild(fp);
      }
    }
    body.appendChild(el("h3", "申诉（" + doc.appeals.length + " 项）"));
    if (doc.appeals.length) body.appendChild(appealsTable(doc.appeals, true));
    else body.appendChild(el("p", "没有申诉。", "note"));
  }
  function unitView(doc, pubDoc, body) {
    var pub = doc.publication;
    if (!pub.published) { body.appendChild(el("p", "考核结果尚未公示。", "note")); return; }
    (pubDoc.units || []).forEach(function (u) {
      /* Its rank only with the ranking published: it tells of the others. */
      body.appendChild(el("h3", u.unit + " 考核得分：" + u.total + (u.grade ? "（" + u.grade + "）" : "") +
        (u.rank && pubDoc.ranking ? "，第 " + u.rank + " 名" : "")));
      /* Four narrow columns, then the reasons as a list: it reads on a phone. */
      var t = el("table"); t.className = "published";
      t.appendChild(row(["项目", "分值", "扣分", "得分"], "th"));
      u.items.forEach(function (i) { t.appendChild(row([i.item + " " + i.name, i.points, i.deduction, i.score])); });
      var box = el("div"); box.style.overflowX = "auto"; box.style.maxWidth = "100%";
      box.appendChild(t);
      body.appendChild(box);
      var why = u.items.filter(function (i) { return i.reason; });
      if (u.vetoed && u.veto_reason) body.appendChild(el("p", "一票否决：" + u.veto_reason, "err"));
      if (why.length) {
        body.appendChild(el("h4", "扣分原因"));
        var ul = el("ul"); ul.className = "reasons";
        why.forEach(function (i) { ul.appendChild(el("li", i.item + " " + i.name + "：" + i.reason)); });
        body.appendChild(ul);
      }
      if (pub.open) {
        var f = el("p"); f.id = "appealform";
        f.appendChild(el("span", "对检查点申诉："));
        var cp = el("select"); cp.id = "appealcp";
        (pubDoc.check_points || []).forEach(function (c) { var o = el("option", c.id + " " + c.label); o.value = c.id; cp.appendChild(o); });
        cp.style.maxWidth = "100%";
        var arg = el("input"); arg.id = "appealargument"; arg.size = 40; arg.style.maxWidth = "100%"; arg.placeholder = "申诉理由，如：通知和方案已补交";
        var b = el("button", "提交申诉"); b.id = "appealsend";
        b.onclick = function () {
          jsonPost("/api/appeal", {rubric: current, unit: u.unit, cp: cp.value, argument: arg.value},
            function (st, d) { if (st === 200) { msg("申诉已提交", "ok"); load(); } else msg(d.error); });
        };
        [cp, arg, b].forEach(function (x) { f.appendChild(x); f.appendChild(document.createTextNode(" ")); });
        body.appendChild(f);
      }
    });
    if (pubDoc.ranking) {
      body.appendChild(el("h3", "排名"));
      var rt = el("table");
      rt.appendChild(row(["名次", "单位", "得分", "等次"], "th"));
      pubDoc.ranking.forEach(function (r) { rt.appendChild(row([r.rank || "", r.unit, r.total, r.grade || ""])); });
      body.appendChild(rt);
    }
    body.appendChild(el("h3", "本单位的申诉"));
    if (doc.appeals.length) body.appendChild(appealsTable(doc.appeals, false));
    else body.appendChild(el("p", "没有申诉。", "note"));
  }
  function load() {
    var body = $("appealbody");
    if (!body || !current) return;
    request("GET", "/api/appeals?rubric=" + encodeURIComponent(current), null, function (st, doc) {
      body.textContent = "";
      body.appendChild(el("span", "", "err")).id = "appealmsg";
      if (st !== 200) { msg(doc.error); return; }
      var head = el("p", "状态：" + statusLine(doc.publication, doc.today)); head.id = "appealstatus";
      body.insertBefore(head, body.firstChild);
      if (isStaff()) { staffView(doc, body); return; }
      if (!doc.publication.published) { unitView(doc, {}, body); return; }
      request("GET", "/api/published?rubric=" + encodeURIComponent(current), null, function (st2, pd) {
        if (st2 !== 200) { msg(pd.error); return; }
        unitView(doc, pd, body);
      });
    });
  }
  areas.push({render: function (st) {
    var on = st && st.workspace && !(st.accounts && !st.user) && !st.must_change_password;
    if (!on) { if (sec) sec.className = "hidden"; return; }
    if (!sec) build();
    sec.className = "";
    var sel = $("appealrubric"), keep = current;
    sel.textContent = "";
    rubricList().forEach(function (r) { var o = el("option", rubricName(r)); o.value = r.id; sel.appendChild(o); });
    if (keep) sel.value = keep;
    current = sel.value;
    load();
  }});
})();

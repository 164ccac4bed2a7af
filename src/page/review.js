/* review.js - the bureau's 考评 (src/serve/review.c), for 考评员 and
 * 管理员: the board of every roster unit (status 未填报 / 填报中 / 已提交 /
 * 考评中 / 已考评 with counts, the deadline, the last change; a status
 * filter, a rubric filter and a search, applied on the loaded list), and
 * one unit's review: per item and check point the unit's answer, remark
 * and evidence (evidence.js's widget, when built in), the inspector's 同意
 * or changed answer with a note, saved as the inspector goes (a stale save
 * is reported with the current content, never overwritten), the 自评分,
 * 考评分 and 差 (考评 − 自评) as the server's engine computes them, and
 * 考评完成.  Everything from the server goes in as text. */
(function () {
  var css = "" +
    "#review .rv-counts button{margin:.2em .3em .2em 0;border:1px solid #bbb;background:#f6f6f6;border-radius:1em;padding:.2em .8em;cursor:pointer}" +
    "#review .rv-counts button.on{background:#8b1a1a;color:#fff;border-color:#6d1414}" +
    "#review .rv-tools{margin:.4em 0}#review .rv-tools input,#review .rv-tools select{font-size:1em;padding:.2em;margin-right:.6em}" +
    "#review table{border-collapse:collapse;width:100%}#review td,#review th{border:1px solid #ddd;padding:.25em .45em;vertical-align:top}" +
    "#review th{background:#f0f0f0}#review .rv-board td:nth-child(3){white-space:nowrap}" +
    "#review .rv-state{display:inline-block;padding:0 .5em;border-radius:1em;background:#eee;font-size:.9em}" +
    "#review .rv-state.s已提交{background:#fff3cd}#review .rv-state.s考评中{background:#d6e9f8}#review .rv-state.s已考评{background:#d4edda}" +
    "#review .rv-head{position:sticky;top:0;z-index:4;background:#fff;border-bottom:1px solid #ddd;padding:.4em 0}" +
    "#review .rv-score b{font-size:1.3em;color:#8b1a1a;margin:0 .2em}" +
    "#review .rv-item td{background:#fafafa;font-weight:bold}" +
    "#review .rv-changed{background:#fff4e5}" +
    "#review .rv-neg{color:#c00}#review .rv-pos{color:#080}" +
    "#review .rv-note{width:100%;box-sizing:border-box;font-size:.95em;padding:.2em}" +
    "#review .rv-val{width:5em;font-size:.95em;padding:.2em}" +
    "#review .rv-unit td:nth-child(1),#review .rv-unit td:nth-child(2),#review .rv-unit td:nth-child(5){text-align:left}" +
    "#review .rv-choice{min-width:7em;font-size:.95em;padding:.15em}" +
    "#review table.rv-unit{table-layout:fixed}#review .rv-unit th:nth-child(1){width:20%}#review .rv-unit th:nth-child(2){width:9%}" +
    "#review .rv-unit th:nth-child(3){width:11%}#review .rv-unit th:nth-child(4){width:11%}#review .rv-unit th:nth-child(5){width:22%}" +
    "#review .rv-unit td,#review .rv-unit th{overflow-wrap:anywhere;white-space:normal}#review .rv-choice{width:100%;min-width:0}" +
    "#review .rv-msg{background:#fff4f4;border:1px solid #c00;padding:.4em .8em;margin:.4em 0}" +
    "#review .rv-remark{font-size:.85em;color:#555}";

  var sec = null, board = null, filt = {state: "", rubric: "", q: ""};
  var cur = null, pending = pendingEdits(), timer = null, saving = false;

  function enabled(st) {
    if (!st || !st.workspace || (st.accounts && !st.user)) return false;
    return !st.role || st.role === "admin" || st.role === "reviewer";
  }

  function build() {
    sec = areaSection("review", "考评（检查组审核各单位自评）", css);
    addChild(sec, "div", "rvboard");
    addChild(sec, "div", "rvunit");
    var app = $("app");
    var fill = $("fill");
    app.insertBefore(sec, fill ? fill.nextSibling : app.firstChild);
    window.addEventListener("pagehide", flushNow);
  }

  /* ---- the board ---- */
  function loadBoard(tries) {
    request("GET", "/api/review/board", null, function (st, doc) {
      if (st !== 200) {
        $("rvboard").textContent = doc.error;
        /* A busy server (503) or a dropped connection: asked again, a few times. */
        if ((st === 0 || st === 503) && (tries || 0) < 5)
          setTimeout(function () { loadBoard((tries || 0) + 1); }, 2000);
        return;
      }
      board = doc;
      showBoard();
    });
  }

  function showBoard() {
    var box = $("rvboard");
    box.textContent = "";
    var counts = el("div", null, "rv-counts");
    counts.id = "rvcounts";
    var states = ["未填报", "填报中", "已提交", "考评中", "已考评"];
    [""].concat(states).forEach(function (s) {
      var n = s ? board.counts[s] : board.total;
      var b = el("button", (s || "全部") + " " + n, filt.state === s ? "on" : "");
      b.type = "button";
      b.setAttribute("data-state", s);
      b.onclick = function () { filt.state = s; showBoard(); };
      counts.appendChild(b);
    });
    box.appendChild(counts);
    var tools = el("div", null, "rv-tools");
    var q = el("input");
    q.id = "rvsearch";
    q.placeholder = "搜索单位名称";
    q.value = filt.q;
    q.oninput = function () { filt.q = q.value; fillRows(); };
    tools.appendChild(q);
    var rs = el("select");
    rs.id = "rvrubric";
    rs.appendChild(el("option", "全部考核细则"));
    rs.options[0].value = "";
    (board.rubrics || []).forEach(function (r) {
      var o = el("option", r.name);
      o.value = r.id;
      if (filt.rubric === r.id) o.selected = true;
      rs.appendChild(o);
    });
    rs.onchange = function () { filt.rubric = rs.value; fillRows(); };
    tools.appendChild(rs);
    tools.appendChild(el("span", board.deadline ? "提交截止：" + board.deadline : "未设提交截止时间", "note"));
    var again = el("button", "刷新");
    again.type = "button";
    again.onclick = function () { loadBoard(); };
    tools.appendChild(el("span", "　"));
    tools.appendChild(again);
    box.appendChild(tools);
    var t = el("table", null, "rv-board");
    t.appendChild(row(["被考核单位", "考核细则", "状态", "已填检查点", "已改检查点", "最近修改", ""], "th"));
    var tb = el("tbody");
    tb.id = "rvrows";
    t.appendChild(tb);
    box.appendChild(t);
    fillRows();
  }

  function fillRows() {
    var tb = $("rvrows");
    tb.textContent = "";
    var q = filt.q.trim();
    var shown = 0;
    board.units.forEach(function (u) {
      if (filt.state && u.state !== filt.state) return;
      if (filt.rubric && u.rubric !== filt.rubric) return;
      if (q && u.unit.indexOf(q) < 0) return;
      shown++;
      var r = row([u.unit, u.rubric_name, "", u.answered + "/" + u.checks, String(u.reviewed),
                   (u.changed || "—") + (u.by ? "（" + u.by + "）" : ""), ""]);
      r.children[2].appendChild(el("span", u.state + (u.returned ? "（已退回）" : ""), "rv-state s" + u.state));
      if (u.state !== "未填报") {
        var b = el("button", u.state === "已提交" || u.state === "考评中" ? "考评" : "查看");
        b.type = "button";
        b.className = "rv-open";
        b.onclick = function () { openUnit(u.unit, u.rubric); };
        r.children[6].appendChild(b);
      }
      tb.appendChild(r);
    });
    if (!shown) {
      var e = el("tr");
      var c = el("td", "没有符合条件的单位", "note");
      c.colSpan = 7;
      e.appendChild(c);
      tb.appendChild(e);
    }
  }

  /* ---- one unit ---- */
  function openUnit(unit, rubric) {
    flushNow();
    request("GET", "/api/review/unit?unit=" + encodeURIComponent(unit) + "&rubric=" + encodeURIComponent(rubric),
      null, function (st, doc) {
        if (st !== 200) { $("rvunit").textContent = doc.error; return; }
        pending.clear();
        showUnit(doc);
        $("rvunit").scrollIntoView();
      });
  }

  function signed(v) {
    if (v === undefined || v === null) return "—";
    return v.charAt(0) === "-" || v === "0" ? v : "+" + v;
  }
  function signCls(v) { return !v || v === "0" ? "" : v.charAt(0) === "-" ? "rv-neg" : "rv-pos"; }
  function setNum(id, v) {
    var e = $(id);
    if (!e) return;
    e.textContent = signed(v);
    e.className = signCls(v);
  }

  function scoreText(s) {
    if (!s || s.total === null || s.total === undefined) return "—";
    return s.total + (s.vetoed ? "（一票否决）" : "");
  }

  function showUnit(doc) {
    cur = doc;
    var box = $("rvunit");
    box.textContent = "";
    var ro = !doc.may.review;
    var head = el("div", null, "rv-head");
    var title = el("p");
    title.appendChild(el("strong", doc.unit));
    title.appendChild(el("span", "　" + doc.rubric.title + "　", "note"));
    addChild(title, "span", "rvstate", doc.status.state, "rv-state s" + doc.status.state);
    head.appendChild(title);
    var sc = el("p", null, "rv-score");
    sc.appendChild(el("span", "自评分"));
    addChild(sc, "b", "rvself", scoreText(doc.self_score));
    sc.appendChild(el("span", "　考评分"));
    addChild(sc, "b", "rvtotal", scoreText(doc.review_score));
    sc.appendChild(el("span", "　差（考评−自评）"));
    addChild(sc, "b", "rvdiff");
    sc.appendChild(el("span", "　满分" + doc.rubric.total, "note"));
    addChild(sc, "span", "rvsaved", "", "note");
    head.appendChild(sc);
    addChild(head, "div", "rvmsg");
    box.appendChild(head);
    if (doc.error) showMsg(doc.error, doc.messages);
    var t = el("table", null, "rv-unit");
    t.appendChild(row(["检查点", "单位填报（自评）", "佐证材料", "考评结果", "考评说明", "自评扣分", "考评扣分", "差"], "th"));
    doc.items.forEach(function (it) {
      var r = row([it.num + "　" + (it.name || "") + "（" + it.points + "分）", "", "", "",
                   it.reason || "", it.self_score !== undefined ? "自评" + it.self_score : "—",
                   it.review_score !== undefined ? "考评" + it.review_score : "—", ""]);
      r.className = "rv-item";
      r.children[5].id = "rvis-" + it.num;
      r.children[6].id = "rvir-" + it.num;
      r.children[7].id = "rvid-" + it.num;
      t.appendChild(r);
      it.cps.forEach(function (cp) { t.appendChild(cpRow(doc, cp, ro)); });
    });
    box.appendChild(t);
    var act = el("p");
    if (doc.may.review) {
      var done = el("button", "考评完成");
      done.id = "rvdone";
      done.type = "button";
      done.onclick = finish;
      act.appendChild(done);
      act.appendChild(el("span", "　未改动的检查点视为同意单位的填报。", "note"));
    } else {
      act.appendChild(el("span", doc.status.state === "已考评" ? "考评已完成（" + (doc.status.at || "") + "）。"
                                                                : "该单位尚未提交，不能考评。", "note"));
    }
    if (doc.may["return"]) {
      /* 管理员: 退回 to the unit with a reason (the fill API's). */
      var why = el("input");
      why.id = "rvreason";
      why.placeholder = "退回原因";
      var ret = el("button", "退回单位修改");
      ret.id = "rvreturn";
      ret.type = "button";
      ret.onclick = function () {
        if (!why.value.trim()) { showMsg("请填写退回原因"); return; }
        flush(function () {
          request("POST", "/api/fill/return", jsonBody({unit: cur.unit, rubric: cur.rubric.id, reason: why.value.trim()}),
            function (st, d) {
              if (st !== 200) { showMsg(d.error || "退回失败", d.messages); return; }
              openUnit(cur.unit, cur.rubric.id);
              loadBoard();
            });
        });
      };
      act.appendChild(el("span", "　"));
      act.appendChild(why);
      act.appendChild(ret);
    }
    var back = el("button", "返回单位列表");
    back.type = "button";
    back.onclick = function () { flushNow(); $("rvunit").textContent = ""; loadBoard(); $("rvboard").scrollIntoView(); };
    act.appendChild(el("span", "　"));
    act.appendChild(back);
    box.appendChild(act);
    numbers(doc);
  }

  function cpRow(doc, cp, ro) {
    var r = el("tr");
    r.id = "rvcp-" + cp.id;
    if (cp.changed) r.className = "rv-changed";
    var c0 = el("td");
    c0.appendChild(el("b", cp.id + " "));
    c0.appendChild(el("span", cp.label));
    r.appendChild(c0);
    var c1 = el("td");
    c1.appendChild(el("div", cp.value === null ? "（未填）" : cp.value));
    if (cp.remark) c1.appendChild(el("div", "备注：" + cp.remark, "rv-remark"));
    r.appendChild(c1);
    var c2 = el("td");
    if (window.evidenceWidget) c2.appendChild(window.evidenceWidget(doc.unit, doc.rubric.id, cp.id, true));
    else c2.appendChild(el("span", "—", "note"));
    r.appendChild(c2);
    var c3 = el("td");
    var sel = el("select");
    sel.className = "rv-choice";
    sel.disabled = ro;
    var opts = [["agree", "同意"]];
    if (cp.kind === "has") opts.push(["有", "改为：有"], ["无", "改为：无"]);
    else opts.push(["n", "改为数字"]);
    opts.forEach(function (o) {
      var op = el("option", o[1]);
      op.value = o[0];
      sel.appendChild(op);
    });
    var num = el("input");
    num.className = "rv-val";
    num.inputMode = "numeric";
    num.disabled = ro;
    if (cp.changed) {
      if (cp.kind === "has" && (cp.review_value === "有" || cp.review_value === "无")) sel.value = cp.review_value;
      else { sel.value = cp.kind === "has" ? "agree" : "n"; num.value = cp.review_value; }
    } else {
      sel.value = "agree";
    }
    num.style.display = sel.value === "n" ? "" : "none";
    var note = el("input");
    note.className = "rv-note";
    note.placeholder = "说明（改动时请写明理由）";
    note.value = cp.note || "";
    note.disabled = ro;
    function changed() {
      num.style.display = sel.value === "n" ? "" : "none";
      var e = {cp: cp.id, note: note.value};
      if (sel.value === "agree") { e.agree = true; }
      else { e.agree = false; e.value = sel.value === "n" ? num.value.trim() : sel.value; }
      if (!e.agree && e.value === "") return; /* a number still to be typed */
      r.className = e.agree ? "" : "rv-changed";
      edit(e);
    }
    sel.onchange = changed;
    num.oninput = changed;
    note.oninput = changed;
    c3.appendChild(sel);
    c3.appendChild(num);
    r.appendChild(c3);
    var c4 = el("td");
    c4.appendChild(note);
    r.appendChild(c4);
    ["rvcs-", "rvcr-", "rvcd-"].forEach(function (p) {
      var c = el("td");
      c.id = p + cp.id;
      r.appendChild(c);
    });
    return r;
  }

  /* The numbers of doc into the page (they come from the engine). */
  function numbers(doc) {
    $("rvself").textContent = scoreText(doc.self_score);
    $("rvtotal").textContent = scoreText(doc.review_score);
    setNum("rvdiff", doc.diff);
    $("rvstate").textContent = doc.status.state;
    $("rvstate").className = "rv-state s" + doc.status.state;
    doc.items.forEach(function (it) {
      $("rvis-" + it.num).textContent = it.self_score !== undefined ? "自评" + it.self_score : "—";
      $("rvir-" + it.num).textContent = it.review_score !== undefined ? "考评" + it.review_score : "—";
      setNum("rvid-" + it.num, it.diff);
      it.cps.forEach(function (cp) {
        $("rvcs-" + cp.id).textContent = cp.self_deduction === undefined ? "—" : cp.self_deduction;
        $("rvcr-" + cp.id).textContent = cp.review_deduction === undefined ? "—" : cp.review_deduction;
        setNum("rvcd-" + cp.id, cp.diff);
      });
    });
    var issues = (doc.review_score && doc.review_score.issues) || [];
    if (issues.length)
      showMsg("以下检查点的考评结果无法识别：", issues.map(function (i) { return i.cp + "：" + i.message; }));
  }

  function showMsg(text, list) {
    var m = $("rvmsg");
    m.textContent = "";
    if (!text) return;
    var b = el("div", text, "rv-msg");
    (list || []).forEach(function (x) { b.appendChild(el("div", typeof x === "string" ? x : (x.message || x.text || JSON.stringify(x)))); });
    m.appendChild(b);
  }

  /* ---- saving ---- */
  function edit(e) {
    pending.set(e);
    $("rvsaved").textContent = "　未保存…";
    clearTimeout(timer);
    timer = setTimeout(flush, 600);
  }

  function flushNow() { clearTimeout(timer); flush(); }

  function flush(then) {
    if (!cur || !pending.any() || saving) { if (then && !saving) then(); return; }
    saving = true;
    var list = pending.take();
    request("POST", "/api/review/save", jsonBody({unit: cur.unit, rubric: cur.rubric.id, version: cur.version, answers: list}),
      function (st, doc) {
        saving = false;
        if (st === 200) {
          cur = doc;
          numbers(doc);
          showMsg("");
          $("rvsaved").textContent = "　已保存" + (doc.review_at ? "（" + doc.review_at + "）" : "");
          if (pending.any()) flush(then); else if (then) then();
        } else if (st === 409 && doc.unit) {
          /* Someone else saved first, or the status moved on: theirs is shown. */
          pending.clear();
          showUnit(doc);
        } else {
          showMsg(doc.error || "保存失败", doc.messages);
        }
      });
  }

  function finish() {
    flush(function () {
      request("POST", "/api/review/done", jsonBody({unit: cur.unit, rubric: cur.rubric.id, version: cur.version}),
        function (st, doc) {
          if (doc && doc.unit) showUnit(doc);
          if (st === 200) { showMsg(""); $("rvsaved").textContent = "　考评已完成"; loadBoard(); }
          else if (!doc || !doc.unit) showMsg(doc.error || "考评未能完成", doc.messages);
        });
    });
  }

  var shownFor = null;
  areas.push({render: function (st) {
    if (!enabled(st)) { if (sec) sec.className = "hidden"; return; }
    if (!sec) build();
    sec.className = "";
    var who = st.user || "";
    if (shownFor !== who) { shownFor = who; loadBoard(); }
  }});
})();

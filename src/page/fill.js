/* fill.js - the online 填报 of a unit's checklist (src/serve/filling.c):
 * the unit's check points item by item, an answer control per check
 * point (有/无 or a count), a remark, evidence (evidence.js, when built
 * in); drafts saved as the user types, a stale save reported (409), never
 * overwritten; the running 自评分 from the server (the page never
 * computes a score); 提交, the filled checklist down and up; for an
 * admin: 退回 with a reason and the deadline.  Works at 390 px and on a
 * desktop.  Everything from the server goes in as text. */
(function () {
  var css = "" +
    "#fill .fill-top{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid #ddd;padding:.4em 0;margin-bottom:.5em}" +
    "#fill .fill-score{font-size:1.1em}#fill .fill-score b{font-size:1.4em;color:#8b1a1a}" +
    "#fill .fill-state{display:inline-block;padding:.1em .6em;border-radius:1em;background:#eee;margin-left:.5em;font-size:.9em}" +
    "#fill .fill-saved{color:#555;font-size:.9em;margin-left:.5em}" +
    "#fill .fill-item{border:1px solid #ddd;border-radius:4px;margin:.6em 0;padding:.3em .8em}" +
    "#fill .fill-item>summary{font-weight:bold;color:#222}" +
    "#fill .fill-content{font-size:.85em;color:#555;margin:.3em 0}" +
    "#fill .fill-cp{border-top:1px dashed #ddd;padding:.5em 0;display:grid;grid-template-columns:minmax(10em,1.2fr) minmax(9em,.8fr) minmax(10em,1fr);gap:.3em .8em;align-items:start}" +
    "#fill .fill-label b{margin-right:.4em;color:#8b1a1a}" +
    "#fill .fill-hint{font-size:.8em;color:#666}" +
    "#fill .fill-ctl button{min-width:3.2em;min-height:2.4em;border:1px solid #999;background:#fff;border-radius:3px}" +
    "#fill .fill-ctl button.on{background:#8b1a1a;color:#fff;border-color:#6d1414}" +
    "#fill .fill-ctl input,#fill .fill-remark input{font-size:1em;padding:.3em;width:100%;box-sizing:border-box;min-height:2.2em}" +
    "#fill .fill-ctl input{max-width:7em}" +
    "#fill .fill-issue{grid-column:1/-1;color:#c00;font-size:.9em}" +
    "#fill .fill-review{grid-column:1/-1;font-size:.9em;color:#06c}" +
    "#fill .fill-ev{grid-column:1/-1}" +
    "#fill .fill-itemscore{font-size:.85em;color:#555;margin:.3em 0}" +
    "#fill .fill-conflict{background:#fff4f4;border:1px solid #c00;padding:.5em 1em;margin:.5em 0}" +
    "#fill .fill-actions button{min-height:2.4em}" +
    "#fill.readonly .fill-ctl button:not(.on){opacity:.45}" +
    "@media (max-width:640px){main{padding:.5em}section{padding:.6em .7em}header{padding:.6em 1em}header h1{font-size:1.1em}" +
    "#fill .fill-cp{grid-template-columns:1fr}#fill .fill-ctl input{max-width:none}" +
    "#fill .fill-ctl button{min-width:4.5em}#fill .fill-actions button{width:100%;margin:.3em 0}}";

  var sec = null, cur = null, pending = pendingEdits(), timer = null, saving = false, conflict = false;
  var units = [], loadedFor = null, issueOf = {}, inputs = {};

  function enabled(st) {
    return st && st.workspace && !(st.accounts && !st.user);
  }

  function build() {
    sec = areaSection("fill", "在线填报（本单位检查表）", css);
    addChild(sec, "p", "fillpick");
    addChild(sec, "div", "fillbody");
    var app = $("app");
    app.insertBefore(sec, app.firstChild);
    window.addEventListener("pagehide", flushNow);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") flushNow();
    });
  }

  /* ---- choosing the unit ---- */
  function loadUnits() {
    request("GET", "/api/fill/units", null, function (st, doc) {
      var pick = $("fillpick");
      pick.textContent = "";
      if (st !== 200) { pick.appendChild(el("span", doc.error, "err")); return; }
      units = doc.units || [];
      if (!units.length) {
        pick.appendChild(el("span", "工作区还没有单位名单：请先在“上传”中选择单位名单文件。", "note"));
        return;
      }
      var want = localStorage.getItem("kaohe-fill-unit");
      var chosen = units.filter(function (u) { return key(u) === want; })[0] || null;
      if (units.length === 1) chosen = units[0];
      if (units.length > 1) {
        var sel = el("select");
        sel.id = "fillunit";
        sel.appendChild(el("option", "（选择被考核单位）"));
        units.forEach(function (u, i) {
          var o = el("option", u.unit + "（" + u.rubric_name + "）— " + u.state);
          o.value = String(i);
          if (chosen === u) o.selected = true;
          sel.appendChild(o);
        });
        sel.onchange = function () {
          var u = units[Number(sel.value)];
          if (!u) return;
          flushNow();
          localStorage.setItem("kaohe-fill-unit", key(u));
          open(u);
        };
        var l = el("label", "被考核单位 ");
        l.appendChild(sel);
        pick.appendChild(l);
      }
      if (doc.deadline) pick.appendChild(el("span", "　提交截止：" + doc.deadline, "note"));
      if (chosen) open(chosen);
    });
  }
  function key(u) { return u.rubric + "\t" + u.unit; }

  function open(u) {
    request("GET", "/api/fill?unit=" + encodeURIComponent(u.unit) + "&rubric=" + encodeURIComponent(u.rubric), null,
      function (st, doc) {
        if (st !== 200) { $("fillbody").textContent = doc.error; return; }
        pending.clear();
        conflict = false;
        show_(doc);
      });
  }

  /* ---- the form ---- */
  function answerOf(doc, id) { return (doc.self && doc.self.answers && doc.self.answers[id]) || {}; }

  function show_(doc) {
    cur = doc;
    var body = $("fillbody");
    body.textContent = "";
    inputs = {};
    var ro = !doc.may.edit;
    sec.className = ro ? "readonly" : "";
    var top = el("div", null, "fill-top");
    addChild(top, "div", "fillscore", null, "fill-score");
    addChild(top, "span", "fillsaved", "", "fill-saved");
    body.appendChild(top);
    addChild(body, "div", "fillmsg");
    var head = el("p");
    head.appendChild(el("strong", doc.unit));
    head.appendChild(el("span", "　" + doc.rubric.title, "note"));
    body.appendChild(head);
    if (doc.status.returned && doc.status.reason && doc.status.state === "填报中")
      body.appendChild(el("p", "已退回修改：" + doc.status.reason, "err"));
    if (doc.deadline) body.appendChild(el("p", "提交截止：" + doc.deadline, "note"));
    if (doc.status.state === "已提交" || doc.status.state === "考评中")
      body.appendChild(el("p", "已提交（" + (doc.status.at || "") + "），等待考评；如需修改，请联系管理员退回。", "ok"));
    doc.items.forEach(function (it) { body.appendChild(itemBlock(doc, it, ro)); });
    body.appendChild(actions(doc));
    showScore(doc.score, doc.status, doc.may);
    savedText(doc.self.version ? "已保存" + (doc.self.at ? "（" + doc.self.at + "）" : "") : "");
  }

  function itemBlock(doc, it, ro) {
    var d = el("details", null, "fill-item");
    d.open = true;
    d.appendChild(el("summary", it.num + "　" + (it.name || "") + "（" + it.points + "分）"));
    d.appendChild(el("div", it.content, "fill-content"));
    it.cps.forEach(function (cp) { d.appendChild(cpBlock(doc, cp, ro)); });
    var s = el("div", "", "fill-itemscore");
    s.id = "fillitem-" + it.num;
    d.appendChild(s);
    return d;
  }

  function cpBlock(doc, cp, ro) {
    var a = answerOf(doc, cp.id);
    var box = el("div", null, "fill-cp");
    box.id = "fillcp-" + cp.id;
    var lab = el("div", null, "fill-label");
    lab.appendChild(el("b", cp.id));
    lab.appendChild(el("span", cp.label));
    if (cp.fill) lab.appendChild(el("div", cp.fill, "fill-hint"));
    box.appendChild(lab);
    var ctl = el("div", null, "fill-ctl");
    var rem = el("input");
    rem.placeholder = "备注（可不填）";
    rem.value = a.remark || "";
    rem.disabled = ro;
    rem.className = "fill-remark-input";
    if (cp.kind === "has") {
      var value = a.value || "";
      ["有", "无"].forEach(function (v) {
        var b = el("button", v, value === v ? "on" : "");
        b.type = "button";
        b.disabled = ro;
        b.setAttribute("aria-pressed", value === v ? "true" : "false");
        b.onclick = function () {
          ctl.querySelectorAll("button").forEach(function (x) { x.className = ""; x.setAttribute("aria-pressed", "false"); });
          b.className = "on";
          b.setAttribute("aria-pressed", "true");
          edit(cp.id, {value: v});
        };
        ctl.appendChild(b);
      });
      /* Another spelling typed in a spreadsheet ("√", "有（已提供）") is shown as it is. */
      if (value && value !== "有" && value !== "无") ctl.appendChild(el("span", " " + value, "note"));
    } else {
      var inp = el("input");
      inp.inputMode = "numeric";
      inp.placeholder = cp.kind === "count" ? "应不少于" + cp.need : "没有填0";
      inp.value = a.value || "";
      inp.disabled = ro;
      inp.setAttribute("aria-label", cp.id + " " + cp.label);
      inp.oninput = function () { edit(cp.id, {value: inp.value}); };
      inp.onblur = flushSoon;
      ctl.appendChild(inp);
    }
    box.appendChild(ctl);
    var rb = el("div", null, "fill-remark");
    rem.oninput = function () { edit(cp.id, {remark: rem.value}); };
    rem.onblur = flushSoon;
    rb.appendChild(rem);
    box.appendChild(rb);
    inputs[cp.id] = box;
    var issue = el("div", "", "fill-issue");
    box.appendChild(issue);
    var rv = doc.review && doc.review.answers && doc.review.answers[cp.id];
    if (rv && (rv.agree || rv.value || rv.note))
      box.appendChild(el("div", "考评：" + (rv.agree ? "同意" : rv.value ? "改为“" + rv.value + "”" : "") +
        (rv.note ? "（" + rv.note + "）" : ""), "fill-review"));
    if (window.evidenceWidget) {
      var ev = el("div", null, "fill-ev");
      ev.appendChild(window.evidenceWidget(doc.unit, doc.rubric.id, cp.id, ro));
      box.appendChild(ev);
    }
    return box;
  }

  function actions(doc) {
    var p = el("div", null, "fill-actions");
    var sub = el("button", "提交", "main");
    sub.id = "fillsubmit";
    sub.disabled = !doc.may.submit;
    sub.onclick = submit;
    p.appendChild(sub);
    var dl = el("button", "下载本单位检查表");
    dl.id = "filldownload";
    dl.onclick = function () {
      flushNow();
      request("GET", "/api/fill/download?unit=" + encodeURIComponent(doc.unit) + "&rubric=" + encodeURIComponent(doc.rubric.id),
        null, function (st, body, x) {
          if (st !== 200) { say(body.error, true); return; }
          saveBlob(body, fileName(x, doc.unit + "-检查表.xlsx"));
        }, null, true);
    };
    p.appendChild(dl);
    if (doc.may.edit) {
      var up = el("input");
      up.type = "file";
      up.id = "fillupload";
      up.accept = ".xlsx,.xls,.ods,.csv";
      up.className = "hidden";
      up.onchange = function () {
        if (!up.files.length) return;
        var fd = new FormData();
        fd.append("file", up.files[0], up.files[0].name);
        request("POST", "/api/fill/upload?unit=" + encodeURIComponent(doc.unit) + "&rubric=" + encodeURIComponent(doc.rubric.id) +
          "&version=" + cur.self.version, fd, function (st, res) {
            up.value = "";
            if (st === 200) { show_(res); say("已按上传的检查表填入", false); }
            else refused(st, res);
          });
      };
      var ub = el("button", "上传已填检查表");
      ub.onclick = function () { flushNow(); up.click(); };
      p.appendChild(ub);
      p.appendChild(up);
    }
    if (doc.may["return"]) {
      var reason = el("input");
      reason.id = "fillreason";
      reason.placeholder = "退回原因（单位会看到）";
      var rb = el("button", "退回修改");
      rb.id = "fillreturn";
      rb.onclick = function () {
        request("POST", "/api/fill/return", jsonBody({unit: doc.unit, rubric: doc.rubric.id, reason: reason.value}),
          function (st, res) { if (st === 200) { show_(res); say("已退回", false); } else refused(st, res); });
      };
      var q = el("p");
      q.appendChild(reason);
      q.appendChild(rb);
      p.appendChild(q);
    }
    if (doc.may.deadline) {
      var dp = el("p", "提交截止时间：");
      var di = el("input");
      di.id = "filldeadline";
      di.placeholder = "2026-12-31 18:00";
      di.value = doc.deadline || "";
      var db = el("button", "保存");
      db.onclick = function () {
        request("POST", "/api/fill/deadline", jsonBody({deadline: di.value}), function (st, res) {
          if (st === 200) say(res.deadline ? "截止时间已设为 " + res.deadline : "已取消截止时间", false);
          else refused(st, res);
        });
      };
      dp.appendChild(di);
      dp.appendChild(db);
      p.appendChild(dp);
    }
    return p;
  }

  /* ---- the score and messages, from the server ---- */
  function showScore(score, status, may) {
    var sc = $("fillscore");
    if (!sc) return;
    sc.textContent = "";
    sc.appendChild(el("span", "自评分 "));
    var tot = el("b", score && score.total !== null && score.total !== undefined ? score.total : "—");
    tot.id = "filltotal";
    sc.appendChild(tot);
    sc.appendChild(el("span", " / " + (score ? score.full : "")));
    if (score && score.unanswered) sc.appendChild(el("span", "　未填 " + score.unanswered + " 项（按缺项计）", "note"));
    if (score && score.vetoed) sc.appendChild(el("span", "　" + (score.veto_reason || "一票否决"), "err"));
    var stt = el("span", status.state, "fill-state");
    stt.id = "fillstate";
    sc.appendChild(stt);
    if (cur && cur.review_score && cur.review_score.total &&
        (status.state === "考评中" || status.state === "已考评"))
      sc.appendChild(el("span", "　考评分 " + cur.review_score.total, "note"));
    issueOf = {};
    ((score && score.issues) || []).forEach(function (i) { issueOf[i.cp] = i.message; });
    Object.keys(inputs).forEach(function (id) {
      inputs[id].querySelector(".fill-issue").textContent = issueOf[id] || "";
    });
    ((score && score.items) || []).forEach(function (it) {
      var n = $("fillitem-" + it.num);
      if (n) n.textContent = "本项得分 " + it.score + (it.reason ? "　" + it.reason : "");
    });
    if (may && cur) {
      cur.may = may;
      var sb = $("fillsubmit");
      if (sb) sb.disabled = !may.submit;
    }
  }
  function savedText(t) { var s = $("fillsaved"); if (s) s.textContent = t; }
  function say(text, bad) {
    var m = $("fillmsg");
    if (!m) return;
    m.textContent = "";
    if (text) m.appendChild(el("p", text, bad ? "err" : "ok"));
  }
  function refused(st, res) {
    var m = $("fillmsg");
    m.textContent = "";
    var box = el("div", null, st === 409 ? "fill-conflict" : "");
    box.appendChild(el("p", res.error || ("失败（" + st + "）"), "err"));
    var ul = el("ul");
    (res.messages || []).forEach(function (t) { ul.appendChild(el("li", t)); });
    box.appendChild(ul);
    if (st === 409 && res.current) {
      conflict = true;
      var mine = pending.cps();
      if (mine.length) box.appendChild(el("p", "本页未保存的修改：" + mine.join("、") + "。载入最新内容后请重新填写。", "note"));
      var b = el("button", "载入最新内容");
      b.id = "fillreload";
      b.onclick = function () { pending.clear(); conflict = false; show_(res.current); };
      box.appendChild(b);
      savedText("未保存：内容已在别处修改");
    }
    m.appendChild(box);
    m.scrollIntoView({block: "nearest"});
  }

  /* ---- saving as the user types ---- */
  function edit(id, change) {
    pending.put(id, change);
    savedText("有修改未保存…");
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, 700);
  }
  function flushSoon() { if (timer) { clearTimeout(timer); timer = setTimeout(flush, 50); } }
  function flush() {
    timer = null;
    if (!cur || conflict) return;
    if (saving) { timer = setTimeout(flush, 200); return; }
    var list = pending.take();
    if (!list.length) return;
    saving = true;
    savedText("保存中…");
    request("POST", "/api/fill/save", jsonBody({unit: cur.unit, rubric: cur.rubric.id, side: "self",
      version: cur.self.version, answers: list}), function (st, res) {
      saving = false;
      if (st === 200) {
        cur.self.answers = withEdits(list);
        cur.self.version = res.version;
        cur.status = res.status || cur.status;
        savedText("已保存");
        say("", false);
        showScore(res.score, cur.status, res.may);
      } else if (st === 409 && res.current && res.current.may.edit &&
                 res.current.self.version === cur.self.version + 1 && onlyOurs(list, res.current)) {
        /* An answer lost on the way back after the server saved it: the
         * retry finds its own change there, one version on and nothing
         * else since, which is no conflict. */
        cur.self = res.current.self;
        savedText("已保存");
        showScore(res.current.score, res.current.status, res.current.may);
        if (pending.any()) timer = setTimeout(flush, 50);
      } else {
        /* Not saved: the edits stay pending (shown) until resolved; a
         * server out of reach is tried again. */
        pending.keep(list);
        if (st === 0 || st >= 500) {
          savedText("保存失败，稍后自动重试…");
          timer = setTimeout(flush, 3000);
        } else {
          refused(st, res);
        }
      }
    });
  }
  /* The answers of cur.self with the edits of list made (a new map). */
  function withEdits(list) {
    var a = {};
    Object.keys(cur.self.answers || {}).forEach(function (k) {
      a[k] = {value: cur.self.answers[k].value, remark: cur.self.answers[k].remark};
    });
    list.forEach(function (p) {
      var e = a[p.cp] || (a[p.cp] = {});
      if ("value" in p) e.value = p.value;
      if ("remark" in p) e.remark = p.remark;
    });
    return a;
  }
  /* Whether the server's current answers are exactly ours with list made:
   * our own save, whose answer was lost, and nothing else since. */
  function onlyOurs(list, doc) {
    var mine = withEdits(list), theirs = doc.self.answers || {};
    var keys = Object.keys(mine).concat(Object.keys(theirs));
    return keys.every(function (k) {
      var x = mine[k] || {}, y = theirs[k] || {};
      return (x.value || "") === (y.value || "") && (x.remark || "") === (y.remark || "");
    });
  }
  /* The page goes away: what is pending leaves now (keepalive). */
  function flushNow() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (!cur || conflict || saving) { if (saving && !conflict) timer = setTimeout(flush, 200); return; }
    var list = pending.take();
    if (!list.length) return;
    var body = JSON.stringify({unit: cur.unit, rubric: cur.rubric.id, side: "self", version: cur.self.version, answers: list});
    try {
      fetch("/api/fill/save", {method: "POST", keepalive: true, credentials: "same-origin",
        headers: {"Content-Type": "application/json"}, body: body}).then(function (r) {
        return r.json().then(function (res) {
          if (r.status === 200) { cur.self.answers = withEdits(list); cur.self.version = res.version; savedText("已保存"); showScore(res.score, res.status || cur.status, res.may); }
          else refused(r.status, res);
        });
      }).catch(function () {});
    } catch (e) { pending.keep(list); }
  }

  function submit() {
    if (timer || saving || pending.any()) { flush(); setTimeout(submit, 400); return; }
    if (!window.confirm("提交后不能再修改（除非管理员退回）。确定提交？")) return;
    request("POST", "/api/fill/submit", jsonBody({unit: cur.unit, rubric: cur.rubric.id, version: cur.self.version}),
      function (st, res) {
        if (st === 200) { show_(res); say("已提交", false); }
        else refused(st, res);
      });
  }

  areas.push({render: function (st) {
    if (!enabled(st)) { if (sec) sec.style.display = "none"; return; }
    if (!sec) build();
    sec.style.display = "";
    var who = (st.user || "") + "\t" + (st.role || "");
    if (loadedFor === who) return;
    loadedFor = who;
    loadUnits();
  }});
})();

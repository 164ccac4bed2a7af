/* users.js - accounts on the page (src/serve/users.c, session.c):
 * the password change (forced at the first login of a new or reset
 * account: nothing else is drawn until it is done; else from the
 * header's 修改密码), and the admin's 账号管理: every account with its
 * role and unit, 重设密码 and 停用/启用, a new account, and one 填报员
 * per roster unit with the sheet to hand out.  A password kaohe made is
 * shown once, in the answer that made it. */
"use strict";
(function () {
  var pwOpen = false, made = null;

  function style(e, css) { e.setAttribute("style", css); return e; }
  function input(id, type, auto) {
    var i = el("input"); i.id = id; i.type = type; i.autocomplete = auto;
    /* 16px: a phone does not zoom into the field. */
    style(i, "font-size:16px;padding:.4em;width:100%;max-width:22em;box-sizing:border-box");
    return i;
  }
  function field(label, inp) {
    var p = el("p"), l = el("label", label);
    style(l, "display:block;margin:0 0 .2em");
    l.htmlFor = inp.id;
    p.appendChild(l); p.appendChild(inp);
    return p;
  }
  function postJSON(url, obj, done) {
    request("POST", url, jsonBody(obj), done);
  }

  /* ---- the password change ---- */
  var pw = el("section"); pw.id = "password"; pw.className = "hidden";
  var pwTitle = el("h2"), pwNote = el("p", null, "note");
  var pwForm = el("form"); pwForm.id = "pwform";
  var oldI = input("pwold", "password", "current-password");
  var newI = input("pwnew", "password", "new-password");
  var againI = input("pwagain", "password", "new-password");
  var pwGo = el("button", "确定修改", "main"); pwGo.type = "submit"; pwGo.id = "pwgo";
  style(pwGo, "font-size:16px;padding:.5em 1.5em");
  var pwCancel = el("button", "取消"); pwCancel.type = "button";
  var pwMsg = el("p"); pwMsg.id = "pwmsg";
  pwForm.appendChild(field("原密码（初次登录时即初始密码）", oldI));
  pwForm.appendChild(field("新密码（至少 8 个字母、数字或符号）", newI));
  pwForm.appendChild(field("再次输入新密码", againI));
  pwForm.appendChild(pwGo); pwForm.appendChild(pwCancel); pwForm.appendChild(pwMsg);
  pw.appendChild(pwTitle); pw.appendChild(pwNote); pw.appendChild(pwForm);
  document.querySelector("main").insertBefore(pw, $("app"));
  var done = el("p", null, "ok"); done.id = "pwdone";
  document.querySelector("main").insertBefore(done, $("app"));

  pwCancel.onclick = function () { pwOpen = false; layout(); };
  pwForm.addEventListener("submit", function (e) {
    e.preventDefault();
    pwMsg.className = "err";
    if (newI.value.length < 8) { pwMsg.textContent = "新密码太短：至少 8 个字母、数字或符号"; return; }
    if (newI.value !== againI.value) { pwMsg.textContent = "两次输入的新密码不一样"; return; }
    pwGo.disabled = true;
    pwMsg.className = ""; pwMsg.textContent = "正在保存……";
    postJSON("/api/password", {old: oldI.value, "new": newI.value}, function (st, doc) {
      pwGo.disabled = false;
      if (st !== 200) { pwMsg.className = "err"; pwMsg.textContent = doc.error || ("出错：" + st); return; }
      oldI.value = newI.value = againI.value = "";
      pwOpen = false;
      state = doc;
      layout();
      done.textContent = "密码已修改，请记住新密码。";
      setTimeout(function () { done.textContent = ""; }, 10000);
    });
  });

  function renderPassword(st) {
    var forced = !!(st.user && st.must_change_password);
    var on = forced || (pwOpen && !!st.user);
    pw.className = on ? "" : "hidden";
    pwCancel.className = forced ? "hidden" : "";
    pwTitle.textContent = forced ? "请先设置新密码" : "修改密码";
    pwNote.textContent = forced
      ? "这是初次登录（或管理员重设了密码）：请把初始密码改为只有自己知道的新密码，之后才能使用本系统。"
      : "修改后，本账号在其他浏览器上的登录将失效。";
    if (forced && !pwOpen) { pwOpen = true; pwMsg.textContent = ""; setTimeout(function () { oldI.focus(); }, 0); }
    if (!st.user) pwOpen = false;
    /* The header's button, beside 退出登录. */
    if (st.user && !forced) {
      var b = el("button", "修改密码"); b.id = "pwopen";
      b.onclick = function () { pwOpen = true; pwMsg.textContent = ""; layout(); oldI.focus(); };
      $("who").insertBefore(b, $("who").lastChild);
    }
  }

  /* ---- the admin's accounts ---- */
  var box = el("section"); box.id = "accounts"; box.className = "hidden";
  box.appendChild(el("h2", "账号管理"));
  var boxNote = el("p", null, "note"), list = el("div"), shown = el("div");
  shown.id = "madepw";
  var unitsBtn = el("button", "为单位名单中的每个单位生成填报员账号", "main"); unitsBtn.id = "unitusers";
  var sheetBtn = el("button", "下载账号分发表"); sheetBtn.id = "usersheet";
  var unitsMsg = el("span"); unitsMsg.id = "unitsmsg";
  var p1 = el("p"); p1.appendChild(unitsBtn); p1.appendChild(sheetBtn); p1.appendChild(unitsMsg);
  var addName = el("input"), addRole = el("select"), addUnit = el("input"), addBtn = el("button", "添加账号");
  addName.id = "addname"; addName.placeholder = "用户名"; addName.size = 14;
  addUnit.id = "addunit"; addUnit.placeholder = "所属单位（填报员）"; addUnit.size = 18;
  addRole.id = "addrole"; addBtn.id = "adduser";
  [["reviewer", "考评员"], ["filler", "填报员"], ["admin", "管理员"]].forEach(function (r) {
    var o = el("option", r[1]); o.value = r[0]; addRole.appendChild(o);
  });
  var p2 = el("p");
  [el("span", "添加账号："), addName, addRole, addUnit, addBtn].forEach(function (e) { p2.appendChild(e); });
  box.appendChild(boxNote); box.appendChild(p1); box.appendChild(shown); box.appendChild(list);
  box.appendChild(p2);
  $("app").appendChild(box);

  /* A password made now, shown this once. */
  function showMade(title, rows) {
    shown.textContent = "";
    if (!rows.length) return;
    shown.appendChild(el("p", title + "（密码只显示这一次，请抄下或下载账号分发表后交给各用户；首次登录须改密码）", "ok"));
    var t = el("table"); t.id = "madetable";
    t.appendChild(row(["被考核单位", "用户名", "初始密码"], "th"));
    rows.forEach(function (m) { t.appendChild(row([m.unit || "", m.name, m.password])); });
    var sc = el("div", null, "scroll"); sc.appendChild(t);
    shown.appendChild(sc);
  }

  function loadUsers() {
    request("GET", "/api/users", null, function (st, doc) {
      list.textContent = "";
      if (st !== 200) { list.appendChild(el("p", doc.error || ("出错：" + st), "err")); return; }
      sheetBtn.disabled = !doc.sheet;
      unitsBtn.disabled = !doc.roster;
      boxNote.textContent = doc.roster
        ? "填报员只能看到和填写本单位的检查表；考评员审核各单位的填报。重设密码后，该用户下次登录须先改密码。"
        : "工作区还没有单位名单：请先在“上传”中选择单位名单并上传，再为各单位生成填报员账号。";
      var t = el("table"); t.id = "accounttable";
      t.appendChild(row(["用户名", "角色", "所属单位", "状态", "操作"], "th"));
      doc.accounts.forEach(function (a) {
        var r = row([a.name, roleNames[a.role] || a.role, a.unit || "",
          a.disabled ? "已停用" : a.must_change_password ? "待改初始密码" : "正常"]);
        var c = el("td");
        var reset = el("button", "重设密码");
        reset.onclick = function () {
          if (!confirm("为 " + a.name + " 重设密码？原密码随即失效。")) return;
          postJSON("/api/users/reset", {name: a.name}, function (st2, d2) {
            if (st2 !== 200) { unitsMsg.className = "err"; unitsMsg.textContent = d2.error; return; }
            showMade("已为 " + a.name + " 重设密码", [{unit: a.unit, name: d2.name, password: d2.password}]);
            loadUsers();
          });
        };
        var dis = el("button", a.disabled ? "启用" : "停用");
        dis.disabled = a.name === state.user;
        dis.onclick = function () {
          postJSON("/api/users/disable", {name: a.name, disabled: !a.disabled}, function (st2, d2) {
            if (st2 !== 200) { unitsMsg.className = "err"; unitsMsg.textContent = d2.error; return; }
            loadUsers();
          });
        };
        c.appendChild(reset); c.appendChild(dis);
        r.appendChild(c);
        t.appendChild(r);
      });
      var sc = el("div", null, "scroll"); sc.appendChild(t);
      list.appendChild(sc);
    });
  }

  unitsBtn.onclick = function () {
    unitsBtn.disabled = true;
    unitsMsg.className = ""; unitsMsg.textContent = "正在生成账号……（每个账号约需 0.1 秒）";
    postJSON("/api/users/units", {}, function (st, doc) {
      unitsBtn.disabled = false;
      if (st !== 200) { unitsMsg.className = "err"; unitsMsg.textContent = doc.error || ("出错：" + st); return; }
      made = doc.made;
      unitsMsg.className = "ok";
      unitsMsg.textContent = made.length ? "已生成 " + made.length + " 个填报员账号，已写入账号分发表"
        : "名单中的每个单位都已有填报员账号，未新建";
      showMade("新生成的填报员账号", made);
      loadUsers();
    });
  };
  sheetBtn.onclick = function () {
    request("GET", "/api/users/sheet", null, function (st, body, x) {
      if (st !== 200) { unitsMsg.className = "err"; unitsMsg.textContent = body.error || ("出错：" + st); return; }
      saveBlob(body, fileName(x, "账号分发表.xlsx"));
    }, null, true);
  };
  addBtn.onclick = function () {
    var o = {name: addName.value.trim(), role: addRole.value};
    if (o.role === "filler") o.unit = addUnit.value.trim();
    postJSON("/api/users/add", o, function (st, doc) {
      if (st !== 200) { unitsMsg.className = "err"; unitsMsg.textContent = doc.error || ("出错：" + st); return; }
      showMade("已添加账号 " + doc.name, [{unit: o.unit, name: doc.name, password: doc.password}]);
      addName.value = addUnit.value = "";
      loadUsers();
    });
  };
  addRole.onchange = function () { addUnit.className = addRole.value === "filler" ? "" : "hidden"; };
  addRole.onchange();

  /* This machine without accounts: how the units get theirs. */
  var noAcc = el("section"); noAcc.id = "noaccounts"; noAcc.className = "hidden";
  noAcc.appendChild(el("h2", "账号管理"));
  noAcc.appendChild(el("p", "本机使用，未启用账号。如需让各单位登录填报、考评员登录审核，请先停止 kaohe，" +
    "用命令 kaohe serve --add-user 用户名 --workspace 工作区 添加管理员账号后重新启动，" +
    "再在这里为单位名单中的各单位生成填报员账号。", "note"));
  $("app").appendChild(noAcc);

  var wasAdmin = false;
  function renderAccounts(st) {
    var admin = st.role === "admin" && st.accounts && !!st.user && !st.must_change_password;
    noAcc.className = st.workspace && !st.accounts ? "" : "hidden";
    box.className = admin ? "" : "hidden";
    if (admin && !wasAdmin) loadUsers();
    if (!admin) { shown.textContent = ""; list.textContent = ""; }
    wasAdmin = admin;
  }

  areas.push({always: true, render: function (st) {
    renderPassword(st);
    renderAccounts(st);
  }});
})();

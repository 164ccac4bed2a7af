/* evidence.js - 佐证材料 on the page (src/serve/evidence.c).
 *
 * evidenceWidget(unit, rubric, cpId, readOnly): a DOM element with the
 * check point's attachments - thumbnails of photos (fetched as blobs: the
 * page's own Content-Security-Policy shows only blob: and data: images),
 * PDFs opened in the browser's viewer, other files downloaded - and,
 * unless readOnly, buttons to attach files (选择文件) or take a photo with
 * a phone's camera (拍照, the file input's capture), and to remove one.
 * The widgets of one (unit, rubric) share one list, fetched once and
 * redrawn in each after every change.
 *
 * The area itself, for an admin with a workspace: the quota per unit, and
 * the year's archive (GET /api/export). */
"use strict";
var evidenceLists = {};   /* "unit\trubric" -> {doc, widgets, loading} */
var evidenceThumbs = {};  /* attachment id -> blob: URL */

function evidenceKey(unit, rubric) { return unit + "\t" + rubric; }
function evidenceQuery(unit, rubric) {
  return "unit=" + encodeURIComponent(unit) + "&rubric=" + encodeURIComponent(rubric);
}
function evidenceSize(n) {
  return n >= 1048576 ? (n / 1048576).toFixed(1) + " MiB" : Math.max(1, Math.round(n / 1024)) + " KiB";
}

/* Fetch the list of (unit, rubric) again and redraw its widgets. */
function evidenceReload(unit, rubric) {
  var l = evidenceLists[evidenceKey(unit, rubric)];
  if (!l || l.loading) return;
  l.loading = true;
  request("GET", "/api/evidence?" + evidenceQuery(unit, rubric), null, function (st, doc) {
    l.loading = false;
    l.doc = st === 200 ? doc : {error: doc.error || "无法读取佐证材料", files: []};
    evidenceRedraw(l);
  });
}
function evidenceRedraw(l) {
  l.widgets = l.widgets.filter(function (w) { return w.isConnected || !w.dataset.shown; });
  l.widgets.forEach(function (w) { w.draw(); });
}

/* A thumbnail: the image fetched with the session, shown from a blob. */
function evidenceThumb(f) {
  var img = el("img", null, "ev-thumb");
  img.alt = f.name;
  if (evidenceThumbs[f.id]) { img.src = evidenceThumbs[f.id]; return img; }
  request("GET", "/api/evidence/file?id=" + f.id + "&inline=1", null, function (st, blob) {
    if (st !== 200 || !blob || !blob.size) return;
    evidenceThumbs[f.id] = URL.createObjectURL(blob);
    img.src = evidenceThumbs[f.id];
  }, null, true);
  return img;
}

function evidenceOpen(f) {
  if (f.inline) {
    window.open("/api/evidence/file?id=" + f.id + "&inline=1", "_blank", "noopener");
    return;
  }
  request("GET", "/api/evidence/file?id=" + f.id, null, function (st, blob, x) {
    if (st === 200) saveBlob(blob, fileName(x, f.name));
  }, null, true);
}

function evidenceWidget(unit, rubric, cpId, readOnly) {
  var key = evidenceKey(unit, rubric);
  var l = evidenceLists[key] || (evidenceLists[key] = {doc: null, widgets: [], loading: false});
  var box = el("div", null, "evidence");
  box.dataset.cp = cpId;
  var list = el("div", null, "ev-list"), msg = el("div", null, "ev-msg");
  box.appendChild(list);
  var tools = el("div", null, "ev-tools");
  var pick = el("input"), cam = el("input");
  pick.type = cam.type = "file";
  pick.multiple = true;
  pick.accept = ".jpg,.jpeg,.png,.pdf,.docx,.xlsx,image/jpeg,image/png,application/pdf";
  cam.accept = "image/*";
  cam.setAttribute("capture", "environment");
  pick.className = cam.className = "ev-input";
  var bPick = el("button", "添加佐证材料"), bCam = el("button", "拍照");
  bPick.type = bCam.type = "button";
  bPick.onclick = function () { pick.click(); };
  bCam.onclick = function () { cam.click(); };
  tools.appendChild(bPick); tools.appendChild(bCam); tools.appendChild(pick); tools.appendChild(cam);
  box.appendChild(tools);
  box.appendChild(msg);
  /* Read-only: no button to press, not even hidden ones. */
  function setReadOnly(ro) {
    tools.className = ro ? "ev-tools hidden" : "ev-tools";
    bPick.disabled = bCam.disabled = pick.disabled = cam.disabled = ro;
  }
  setReadOnly(readOnly);

  function upload(input) {
    if (!input.files.length) return;
    var fd = new FormData();
    Array.prototype.forEach.call(input.files, function (f) { fd.append("file", f, f.name); });
    input.value = "";
    msg.textContent = "正在上传……";
    request("POST", "/api/evidence?" + evidenceQuery(unit, rubric) + "&cp=" + encodeURIComponent(cpId), fd,
      function (st, doc) {
        if (st !== 200) { msg.textContent = doc.error || "上传失败"; return; }
        l.doc = doc;
        evidenceRedraw(l);
        msg.textContent = (doc.messages || []).join("\n");
      }, function (e) {
        if (e.lengthComputable) msg.textContent = "正在上传…… " + Math.round(100 * e.loaded / e.total) + "%";
      });
  }
  pick.onchange = function () { upload(pick); };
  cam.onchange = function () { upload(cam); };

  box.draw = function () {
    box.dataset.shown = "1";
    list.textContent = "";
    var d = l.doc;
    if (!d) return;
    var ro = readOnly || d.readonly;
    setReadOnly(ro);
    if (d.error) { msg.textContent = d.error; return; }
    var mine = (d.files || []).filter(function (f) { return f.cp === cpId; });
    if (!mine.length) list.appendChild(el("span", ro ? "（无佐证材料）" : "尚未上传佐证材料", "note"));
    mine.forEach(function (f) {
      var item = el("div", null, "ev-item");
      item.dataset.id = f.id;
      var open = el("a", null, "ev-open");
      open.href = "#";
      open.title = f.name;
      open.onclick = function (e) { e.preventDefault(); evidenceOpen(f); };
      if (f.type === "image/jpeg" || f.type === "image/png") open.appendChild(evidenceThumb(f));
      else open.appendChild(el("span", f.type === "application/pdf" ? "PDF" : (/\.docx$/i.test(f.name) ? "Word" : "文件"), "ev-icon"));
      item.appendChild(open);
      item.appendChild(el("span", f.name + "（" + evidenceSize(f.size) + "）", "ev-name"));
      if (!ro) {
        var rm = el("button", "删除", "ev-remove");
        rm.type = "button";
        rm.onclick = function () {
          if (!window.confirm("删除佐证材料“" + f.name + "”？")) return;
          request("POST", "/api/evidence/delete", jsonBody({id: f.id}), function (st, doc) {
            if (st !== 200) { msg.textContent = doc.error || "删除失败"; return; }
            l.doc = doc;
            evidenceRedraw(l);
          });
        };
        item.appendChild(rm);
      }
      list.appendChild(item);
    });
    if (!ro && d.quota) {
      var left = Math.max(0, d.quota - d.used);
      tools.title = "本单位已用 " + evidenceSize(d.used) + "，还可上传 " + evidenceSize(left) + "；每个文件最大 " + evidenceSize(d.max_file);
    }
  };
  l.widgets.push(box);
  if (l.doc) box.draw(); else evidenceReload(unit, rubric);
  return box;
}

/* The area: its style; the admin's quota per unit and the archive. */
(function () {
  var css = el("style");
  css.textContent =
    ".evidence{margin:.3em 0}.ev-list{display:flex;flex-wrap:wrap;gap:.5em}" +
    ".ev-item{display:flex;flex-direction:column;align-items:center;max-width:8em;font-size:.85em;word-break:break-all}" +
    ".ev-thumb{width:6em;height:6em;object-fit:cover;border:1px solid #ccc;border-radius:3px}" +
    ".ev-icon{display:inline-block;width:6em;height:6em;line-height:6em;text-align:center;background:#f3ece6;border:1px solid #ccc;border-radius:3px}" +
    ".ev-input{display:none}.ev-msg{color:#8b1a1a;white-space:pre-line;font-size:.9em}" +
    ".ev-remove{font-size:.8em;padding:.1em .5em}";
  document.head.appendChild(css);
  var sec = null;
  areas.push({render: function (st) {
    var admin = st && st.workspace && (!st.role || st.role === "admin") && (!st.accounts || st.user);
    if (!admin) { if (sec) sec.className = "hidden"; return; }
    if (!sec) {
      sec = el("section");
      sec.id = "evidence-admin";
      sec.appendChild(el("h2", "佐证材料限额"));
      sec.appendChild(el("p", "每个被考核单位可上传的佐证材料总量（MiB；0 为默认 200 MiB）。每个文件最大 20 MiB，只接受 JPEG、PNG、PDF 和 Word、Excel 文档。", "note"));
      var input = el("input"), b = el("button", "保存限额"), out = el("span");
      input.type = "number"; input.min = "0"; input.id = "evidence-quota";
      b.onclick = function () {
        request("POST", "/api/evidence/quota", jsonBody({mib: Number(input.value)}), function (code, doc) {
          out.textContent = code === 200 ? "已保存：每单位 " + evidenceSize(doc.quota) : doc.error;
        });
      };
      sec.appendChild(input); sec.appendChild(b); sec.appendChild(out);
      sec.appendChild(el("h2", "本年度归档"));
      sec.appendChild(el("p", "一个 .zip：排名表、变更记录，以及每个单位的检查表、评分表和佐证材料（单位/1.1 学习记录/文件名）。", "note"));
      var ex = el("button", "导出归档（.zip）"), exOut = el("span");
      ex.id = "export-archive";
      ex.onclick = function () {
        exOut.textContent = "正在生成……";
        request("GET", "/api/export", null, function (code, blob, x) {
          if (code !== 200) { exOut.textContent = blob.error || "导出失败"; return; }
          exOut.textContent = "";
          saveBlob(blob, fileName(x, "考核归档.zip"));
        }, null, true);
      };
      sec.appendChild(ex); sec.appendChild(exOut);
      ($("app") || document.body).appendChild(sec);
    }
    sec.className = "";
  }});
})();

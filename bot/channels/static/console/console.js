// The agents' console: calls the authenticated API of /webhooks/agent/ (the browser sends the
// Basic credentials the agent logged in with). All text is escaped before it is shown.
(function () {
  "use strict";

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  async function api(path, body) {
    const options = body === undefined ? {} : {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    };
    const res = await fetch(path, options);
    const data = await res.json().catch(function () { return {}; });
    if (!res.ok) { throw new Error(data.error || ("请求失败 " + res.status)); }
    return data;
  }

  function answerCard(item, extraClass) {
    const basis = item.legal_basis && item.legal_basis.length
      ? '<div class="basis">依据：' + esc(item.legal_basis.join("；")) + "</div>" : "";
    return '<div class="card ' + (extraClass || "") + '">' +
      "<h3>" + esc(item.title) + "</h3>" +
      '<div class="meta">相关度 ' + esc(item.score) + " · 置信度 " + esc(item.confidence) +
      (item.covers_concepts ? " · 问题要点全覆盖" : "") +
      (item.customers_get_it ? " · 客户侧会自动答复" : " · 低于客户自动答复线") +
      " · " + esc(item.article_id) + "</div>" +
      "<p>" + esc(item.answer) + "</p>" + basis +
      '<details><summary>详细说明</summary><div class="details">' + esc(item.details) +
      "</div></details></div>";
  }

  document.getElementById("ask-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    const box = document.getElementById("answers");
    const question = document.getElementById("question").value.trim();
    if (!question) { return; }
    box.textContent = "查找中…";
    try {
      const data = await api("ask", { question: question });
      let html = data.answers.length ? "" : "<p>没有找到合适的答案，请转交专家或查阅条款。</p>";
      data.answers.forEach(function (item) { html += answerCard(item); });
      data.wording.forEach(function (item) {
        html += "<h3>建议话术</h3>" + answerCard(item, "wording");
      });
      box.innerHTML = html;
    } catch (error) {
      box.innerHTML = '<p class="error">' + esc(error.message) + "</p>";
    }
  });

  function claimCard(claim) {
    let html = '<div class="card"><h3>' + esc(claim.claim_number) + " · " +
      esc(claim.product_line) + " · " + esc(claim.stage_label) + "</h3>" +
      '<div class="meta">保单 ' + esc(claim.policy_number) + " · 被保险人 " + esc(claim.claimant) +
      " · 手机 " + esc(claim.phone) + "</div><p>" + esc(claim.meaning) + "</p><ul class=\"timeline\">";
    claim.timeline.forEach(function (e) {
      html += "<li><b>" + esc(e.label) + "</b> " + esc(e.at.replace("T", " ")) + "<br>" + esc(e.note) + "</li>";
    });
    html += "</ul>";
    if (claim.missing_documents.length) {
      html += '<p class="missing">待补充：' + esc(claim.missing_documents.join("、")) + "</p>";
    }
    if (claim.amount_approved) { html += "<p>核定金额：" + esc(claim.amount_approved) + " 元</p>"; }
    claim.payments.forEach(function (p) {
      html += "<p>支付：" + esc(p.amount) + " 元 · " + esc(p.method) + " · " + esc(p.account) +
        " · " + esc(p.status) + "</p>";
    });
    if (claim.rejection_reason) { html += "<p>拒赔原因：" + esc(claim.rejection_reason) + "</p>"; }
    return html + "<p>下一步：" + esc(claim.next_step) + "</p></div>";
  }

  async function lookup(query) {
    const box = document.getElementById("claim");
    box.textContent = "查询中…";
    try {
      const data = await api("lookup", { query: query });
      if (data.claim) { box.innerHTML = claimCard(data.claim); return; }
      if (!data.claims.length) { box.innerHTML = "<p>没有查到案件。</p>"; return; }
      box.innerHTML = data.claims.map(function (c) {
        return '<div class="card"><a href="#" data-claim="' + esc(c.claim_number) + '">' +
          esc(c.claim_number) + "</a> " + esc(c.product) + " · " + esc(c.cause) + " · " +
          esc(c.stage_label) + "</div>";
      }).join("");
    } catch (error) {
      box.innerHTML = '<p class="error">' + esc(error.message) + "</p>";
    }
  }

  document.getElementById("lookup-form").addEventListener("submit", function (event) {
    event.preventDefault();
    const query = document.getElementById("query").value.trim();
    if (query) { lookup(query); }
  });
  document.getElementById("claim").addEventListener("click", function (event) {
    const number = event.target.getAttribute("data-claim");
    if (number) { event.preventDefault(); lookup(number); }
  });

  async function loadHandoffs() {
    const box = document.getElementById("handoffs");
    try {
      const data = await api("handoffs");
      if (!data.handoffs.length) { box.innerHTML = "<p>暂无等待中的会话。</p>"; return; }
      box.innerHTML = data.handoffs.map(function (h) {
        return '<div class="card"><h3>' + esc(h.ticket) + " · " + esc(h.channel || "—") + "</h3>" +
          '<div class="meta">' + esc(h.created_at.replace("T", " ")) + " · " + esc(h.reason) + "</div>" +
          '<pre class="summary">' + esc(h.summary) + "</pre>" +
          '<button type="button" data-release="' + esc(h.conversation_id) + '">处理完毕，交还机器人</button></div>';
      }).join("");
    } catch (error) {
      box.innerHTML = '<p class="error">' + esc(error.message) + "</p>";
    }
  }

  document.getElementById("handoffs").addEventListener("click", async function (event) {
    const id = event.target.getAttribute("data-release");
    if (!id) { return; }
    event.target.disabled = true;
    try { await api("release", { conversation_id: id }); } catch (error) { alert(error.message); }
    loadHandoffs();
  });
  document.getElementById("refresh").addEventListener("click", loadHandoffs);
  loadHandoffs();
})();

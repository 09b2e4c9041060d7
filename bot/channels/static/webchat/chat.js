/*
 * 理赔客服助手 — the customer chat page.
 *
 * Messages go to Rasa's REST channel (POST ../rest/webhook {sender, message}); each answer
 * is an array of bot messages, drawn as text bubbles, quick replies, or cards for the
 * structured payloads (custom.type "knowledge_answer" and "claim_status"). The sender id and
 * the conversation (as data, not HTML) are kept in localStorage, so a reload shows the same
 * conversation; "新对话" starts over with a new sender id.
 *
 * Plain ES5 plus fetch and Promise, without a build step, so that it also runs in older
 * in-app browsers (WeChat's). Everything from the server is put into the page with
 * textContent, never innerHTML.
 */
(function () {
  "use strict";

  var REST_URL = "../rest/webhook";
  var FEEDBACK_URL = "feedback";
  var STORE_KEY = "claims-webchat-v1";
  var MAX_ENTRIES = 200;
  var TIMEOUT_MS = 60000;

  // Every sentence of the page, in one place.
  var T = {
    welcome: "您好，我是理赔客服助手，可以帮您查询理赔进度、解答理赔材料和流程问题、在线报案。请问有什么可以帮您？",
    welcomeReplies: [
      { title: "查询理赔进度", payload: "/claim_status" },
      { title: "理赔需要哪些材料", payload: "理赔需要准备哪些材料" },
      { title: "我要报案", payload: "/report_claim" }
    ],
    human: { title: "转人工", payload: "/request_human" },
    networkError: "网络好像有点问题，请稍后再试",
    showDetails: "查看详细说明",
    hideDetails: "收起详细说明",
    basis: "依据",
    related: "相关问题",
    helpfulAsk: "对您有帮助吗？",
    helpful: "有帮助",
    unhelpful: "没帮助",
    thanks: "感谢反馈",
    feedbackFailed: "反馈没有提交成功，请稍后再试",
    claimTitle: "案件 ",
    missing: "待补充材料",
    progress: "办理进度",
    amounts: "金额",
    claimed: "申请金额",
    approved: "核定金额",
    paid: "已付金额",
    payments: "赔款支付",
    rejection: "核定结论",
    nextStep: "下一步",
    timeLimit: "时限",
    yuan: " 元",
    insured: "被保险人：",
    phone: "登记手机：",
    newChatConfirm: "开始新对话？当前的对话记录会从本机清除。"
  };

  var log, typing, form, input, sendButton;
  var state = null; // {sender, entries: [...]}
  var busy = false;

  // --- storage -------------------------------------------------------------------------

  function newSender() {
    var bytes = new Uint8Array(12);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    return "web-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(STORE_KEY) || "null");
      if (saved && typeof saved.sender === "string" && Array.isArray(saved.entries)) {
        return saved;
      }
    } catch (e) { /* private mode or damaged data: start over */ }
    return null;
  }

  // The customer's own words are kept on the device with ID, card and phone numbers and
  // e-mail addresses masked, as the server masks them (claims/privacy.py). No look-behind:
  // older in-app browsers would reject the whole script.
  var MASKS = [
    [/(^|[^0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])/g, "$1$2********$3"],
    [/(^|[^0-9])(?:\d[ -]?){12,15}(\d{4})(?![0-9])/g, "$1****$2"],
    [/(^|[^0-9])(1[3-9]\d)\d{4}(\d{4})(?![0-9])/g, "$1$2****$3"],
    [/([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)/g, "$1***@$2"]
  ];

  function mask(text) {
    return MASKS.reduce(function (t, m) { return t.replace(m[0], m[1]); }, String(text));
  }

  function save() {
    state.entries = state.entries.slice(-MAX_ENTRIES);
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(state, function (key, value) {
        if (key === "_node") return undefined; // the DOM node drawn for an entry
        if ((key === "text" && this.t === "user") || key === "question") return mask(value);
        return value;
      }));
    } catch (e) { /* storage full or disabled: the page still works, without memory */ }
  }

  function fresh() {
    return {
      sender: newSender(),
      entries: [{ t: "text", text: T.welcome, buttons: T.welcomeReplies.slice() }]
    };
  }

  // --- small DOM helpers ---------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function row(who, child) {
    var r = el("div", "row " + who);
    r.appendChild(child);
    return r;
  }

  function labelled(label, child, className) {
    var box = el("div", className || "");
    box.appendChild(el("span", "label", label));
    if (child) box.appendChild(child);
    return box;
  }

  function list(items, className) {
    var ul = el("ul", className);
    items.forEach(function (item) { ul.appendChild(el("li", "", item)); });
    return ul;
  }

  // "2026-10-31T18:13:00" -> "2026年10月31日 18:13", without time-zone conversion.
  function when(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(iso || "");
    if (!m) return iso || "";
    var date = m[1] + "年" + Number(m[2]) + "月" + Number(m[3]) + "日";
    return m[4] ? date + " " + m[4] + ":" + m[5] : date;
  }

  // Appends text with **bold** parts as <strong>, everything else as plain text.
  function inline(parent, text) {
    String(text).split(/\*\*([^*]+)\*\*/).forEach(function (part, i) {
      if (!part) return;
      parent.appendChild(i % 2 ? el("strong", "", part) : document.createTextNode(part));
    });
    return parent;
  }

  // The small Markdown of article details: paragraphs, line breaks, "- " and "1. " lists,
  // **bold**. Built from text nodes, so any HTML in the source is shown, not run.
  function markdown(source) {
    var box = el("div", "details");
    var para = null;
    var listNode = null;
    String(source || "").split(/\r?\n/).forEach(function (line) {
      var bullet = /^\s*[-*]\s+(.*)$/.exec(line);
      var numbered = /^\s*\d+[.、]\s+(.*)$/.exec(line);
      var heading = /^\s*#{1,6}\s+(.*)$/.exec(line);
      if (bullet || numbered) {
        var tag = bullet ? "ul" : "ol";
        if (!listNode || listNode.tagName.toLowerCase() !== tag) {
          listNode = box.appendChild(el(tag));
        }
        para = null;
        inline(listNode.appendChild(el("li")), (bullet || numbered)[1]);
      } else if (!line.trim()) {
        para = null;
        listNode = null;
      } else if (heading) {
        listNode = null;
        para = null;
        inline(box.appendChild(el("p")), "**" + heading[1] + "**");
      } else {
        listNode = null;
        if (para) para.appendChild(el("br"));
        else para = box.appendChild(el("p"));
        inline(para, line);
      }
    });
    return box;
  }

  // --- rendering entries ---------------------------------------------------------------

  function chip(button, onClick) {
    var b = el("button", "chip", button.title || button.payload);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function renderText(entry) {
    var frag = document.createDocumentFragment();
    frag.appendChild(row("bot", el("div", "bubble", entry.text)));
    if (entry.buttons && entry.buttons.length && !entry.used) {
      var replies = el("div", "replies");
      replies.setAttribute("role", "group");
      entry.buttons.forEach(function (button) {
        replies.appendChild(chip(button, function () {
          send(button.payload, button.title || button.payload);
        }));
      });
      frag.appendChild(replies);
    }
    return frag;
  }

  function renderVote(entry) {
    var box = el("div", "vote");
    if (entry.voted) {
      box.appendChild(el("span", "thanks", T.thanks));
      return box;
    }
    box.appendChild(el("span", "ask", T.helpfulAsk));
    var failed = el("span", "failed", T.feedbackFailed);
    failed.hidden = true;
    [[true, "up", T.helpful, "👍 "], [false, "down", T.unhelpful, "👎 "]].forEach(function (v) {
      var b = el("button", v[1], v[2]);
      b.type = "button";
      b.setAttribute("aria-label", v[3] + v[2]);
      b.setAttribute("data-vote", v[1]);
      b.addEventListener("click", function () {
        var buttons = box.querySelectorAll("button");
        Array.prototype.forEach.call(buttons, function (x) { x.disabled = true; });
        failed.hidden = true;
        vote(entry, v[0]).then(function () {
          entry.voted = v[1];
          save();
          box.parentNode.replaceChild(renderVote(entry), box); // details stay as they are
        }, function () {
          Array.prototype.forEach.call(buttons, function (x) { x.disabled = false; });
          failed.hidden = false;
        });
      });
      box.appendChild(b);
    });
    box.appendChild(failed);
    return box;
  }

  function renderKnowledge(entry) {
    var c = entry.card;
    var card = el("article", "card knowledge");
    card.setAttribute("data-article", c.article_id || "");
    var head = card.appendChild(el("div", "card-head"));
    head.appendChild(el("h2", "", c.title));
    var body = card.appendChild(el("div", "card-body"));
    body.appendChild(el("p", "answer", c.answer));

    var basis = c.legal_basis || [];
    if (basis.length) {
      body.appendChild(labelled(T.basis + "：", basis.length > 1 ? list(basis) : el("span", "", basis[0]),
        "basis"));
    }

    if (c.details) {
      var toggle = el("button", "toggle", T.showDetails);
      toggle.type = "button";
      toggle.setAttribute("aria-expanded", "false");
      var details = markdown(c.details);
      details.hidden = true;
      toggle.addEventListener("click", function () {
        var open = details.hidden;
        details.hidden = !open;
        toggle.setAttribute("aria-expanded", String(open));
        toggle.textContent = open ? T.hideDetails : T.showDetails;
      });
      body.appendChild(toggle);
      body.appendChild(details);
    }

    var related = c.related || [];
    if (related.length) {
      var chips = el("div", "chips");
      related.forEach(function (r) {
        var payload = "/ask_general" + JSON.stringify({ article_id: r.id });
        chips.appendChild(chip({ title: r.title, payload: payload }, function () {
          send(payload, r.title);
        }));
      });
      body.appendChild(labelled(T.related, chips, "related"));
    }

    if (c.article_id) body.appendChild(renderVote(entry));
    return row("bot", card);
  }

  function stageTone(stage) {
    if (stage === "pending_docs") return "warn";
    if (stage === "rejected" || stage === "withdrawn" || stage === "cancelled") return "bad";
    if (stage === "paying" || stage === "paid" || stage === "closed") return "good";
    return "";
  }

  function renderClaim(entry) {
    var c = entry.card;
    var card = el("article", "card claim");
    card.setAttribute("data-claim", c.claim_number || "");
    var head = card.appendChild(el("div", "card-head"));
    head.appendChild(el("h2", "", T.claimTitle + (c.claim_number || "")));
    var sub = [c.product_line, c.cause].filter(Boolean).join(" · ");
    if (sub) head.appendChild(el("p", "sub", sub));

    var body = card.appendChild(el("div", "card-body"));
    var stage = el("p");
    stage.appendChild(el("span", "stage " + stageTone(c.stage), c.stage_label || c.stage));
    if (c.stage_since) stage.appendChild(el("span", "since", when(c.stage_since) + " 起"));
    body.appendChild(stage);
    if (c.meaning) body.appendChild(el("p", "meaning", c.meaning));

    if (c.rejection_reason) {
      body.appendChild(labelled(T.rejection, el("p", "", c.rejection_reason), "reason"));
    }

    // What the customer has to do comes first ("下面列出的材料" in next_step means the list).
    if (c.next_step) body.appendChild(labelled(T.nextStep, el("p", "", c.next_step)));
    var missing = c.missing_documents || [];
    if (missing.length) body.appendChild(labelled(T.missing, list(missing), "missing"));

    var timeline = c.timeline || [];
    if (timeline.length) {
      var ol = el("ol", "timeline");
      timeline.forEach(function (step, i) {
        var li = el("li", i === timeline.length - 1 ? "current" : "done");
        li.appendChild(el("span", "t-label", step.label || step.stage));
        if (step.at) li.appendChild(el("span", "t-time", when(step.at)));
        if (step.note) li.appendChild(el("span", "t-note", step.note));
        ol.appendChild(li);
      });
      body.appendChild(labelled(T.progress, ol));
    }

    var amounts = [[T.claimed, c.amount_claimed], [T.approved, c.amount_approved],
      [T.paid, c.amount_paid]].filter(function (a) { return a[1]; });
    if (amounts.length) {
      var dl = el("dl", "amounts");
      amounts.forEach(function (a) {
        dl.appendChild(el("dt", "", a[0]));
        dl.appendChild(el("dd", "", a[1] + T.yuan));
      });
      body.appendChild(labelled(T.amounts, dl));
    }

    var payments = c.payments || [];
    if (payments.length) {
      body.appendChild(labelled(T.payments, list(payments.map(function (p) {
        var line = [p.amount ? p.amount + T.yuan : "", p.paid_at ? when(p.paid_at) : "",
          p.method, p.account].filter(Boolean).join(" ");
        return p.status ? line + "（" + p.status + "）" : line;
      }), "payments")));
    }

    if (c.time_limit) body.appendChild(labelled(T.timeLimit, el("p", "", c.time_limit)));
    var contact = [c.claimant ? T.insured + c.claimant : "", c.phone ? T.phone + c.phone : ""]
      .filter(Boolean).join("　");
    if (contact) body.appendChild(el("p", "contact", contact));
    return row("bot", card);
  }

  function render(entry) {
    var node;
    if (entry.t === "user") node = row("user", el("div", "bubble", entry.text));
    else if (entry.t === "notice") node = el("p", "notice", entry.text);
    else if (entry.t === "knowledge") node = renderKnowledge(entry);
    else if (entry.t === "claim") node = renderClaim(entry);
    else node = renderText(entry);
    // Keep a handle on the entry's nodes so that it can be redrawn in place.
    var wrap = el("div", "entry");
    wrap.appendChild(node);
    entry._node = wrap;
    return wrap;
  }

  function append(entry) {
    var node = render(entry);
    log.insertBefore(node, typing);
    return node;
  }

  function refresh(entry) {
    var old = entry._node;
    if (!old || !old.parentNode) return;
    old.parentNode.replaceChild(render(entry), old);
  }

  function renderAll() {
    Array.prototype.slice.call(log.querySelectorAll(".entry")).forEach(function (n) {
      n.parentNode.removeChild(n);
    });
    state.entries.forEach(append);
    log.scrollTop = log.scrollHeight;
  }

  // --- what Rasa answers -> entries ------------------------------------------------------

  function trimmed(s) { return String(s || "").replace(/\s+/g, " ").trim(); }

  // Rasa sends the text of a card as its own message just before the card: drop it (and
  // its buttons, which the card shows as related questions) so nothing is said twice.
  function dropEcho(out, isEcho) {
    for (var i = out.length - 1; i >= 0 && out[i].t === "text"; i--) {
      if (isEcho(out[i].text || "")) {
        out.splice(i, out.length - i);
        return;
      }
    }
  }

  function toEntries(messages, question) {
    var out = [];
    (Array.isArray(messages) ? messages : []).forEach(function (m) {
      var c = m && m.custom;
      if (c && c.type === "knowledge_answer") {
        var whole = trimmed(c.text || c.answer);
        // Rasa splits a text without buttons at blank lines: every part is in custom.text.
        for (var i = out.length - 1; i >= 0 && out[i].t === "text"; i--) {
          if (!whole || whole.indexOf(trimmed(out[i].text)) === -1) break;
          out.pop();
        }
        out.push({ t: "knowledge", card: c, question: question });
      } else if (c && c.type === "claim_status") {
        // No custom.text here: the status text is the one naming the claim number.
        dropEcho(out, function (text) {
          return !!c.claim_number && text.indexOf(c.claim_number) !== -1;
        });
        out.push({ t: "claim", card: c });
      } else if (m && (m.text || (m.buttons && m.buttons.length))) {
        out.push({ t: "text", text: m.text || "", buttons: m.buttons || [] });
      } else if (m && m.image) {
        out.push({ t: "text", text: String(m.image) });
      } else if (c && typeof c.text === "string" && c.text) {
        out.push({ t: "text", text: c.text });
      }
    });
    return out;
  }

  // --- talking to the server -------------------------------------------------------------

  function post(url, data) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(data),
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (timer) clearTimeout(timer);
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response;
    }, function (error) {
      if (timer) clearTimeout(timer);
      throw error;
    });
  }

  function vote(entry, helpful) {
    return post(FEEDBACK_URL, {
      sender: state.sender,
      article_id: entry.card.article_id,
      helpful: helpful,
      question: entry.question || ""
    });
  }

  function setBusy(on) {
    busy = on;
    typing.hidden = !on;
    sendButton.disabled = on;
    if (on) log.scrollTop = log.scrollHeight;
  }

  // Scrolls to the end, or to the question when the answer is taller than the screen.
  function reveal(first) {
    if (first && log.scrollHeight - first.offsetTop > log.clientHeight) {
      log.scrollTop = first.offsetTop - 8;
    } else {
      log.scrollTop = log.scrollHeight;
    }
  }

  function send(payload, shown) {
    if (busy || !payload) return;
    // Quick replies are for the turn they came with: once the customer answers, they go.
    state.entries.forEach(function (entry) {
      if (entry.t === "text" && entry.buttons && entry.buttons.length && !entry.used) {
        entry.used = true;
        refresh(entry);
      }
    });
    var question = { t: "user", text: shown || payload };
    state.entries.push(question);
    var first = append(question);
    save();
    setBusy(true);
    post(REST_URL, { sender: state.sender, message: payload })
      .then(function (response) { return response.json(); })
      .then(function (messages) {
        var entries = toEntries(messages, shown || payload);
        // Rasa answers 200 with nothing when an action failed: do not leave silence.
        return entries.length ? entries : [{ t: "notice", text: T.networkError }];
      })
      .catch(function () {
        return [{ t: "notice", text: T.networkError }];
      })
      .then(function (entries) {
        setBusy(false);
        entries.forEach(function (entry) {
          state.entries.push(entry);
          append(entry);
        });
        save();
        reveal(first);
      });
  }

  // --- start -------------------------------------------------------------------------------

  function start() {
    log = document.getElementById("log");
    typing = document.getElementById("typing");
    form = document.getElementById("composer");
    input = document.getElementById("input");
    sendButton = document.getElementById("send");

    state = load() || fresh();
    save();
    renderAll();

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text || busy) return;
      input.value = "";
      send(text, text);
    });
    document.getElementById("human").addEventListener("click", function () {
      send(T.human.payload, T.human.title);
    });
    document.getElementById("new-chat").addEventListener("click", function (event) {
      event.preventDefault();
      if (busy || !window.confirm(T.newChatConfirm)) return;
      state = fresh();
      save();
      renderAll();
      input.focus();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

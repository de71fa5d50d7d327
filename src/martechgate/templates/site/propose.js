// The "Propose a tool" form: martechgate new's questions, from the JSON the site exports
// (site/propose.py), answered in the page. Nothing leaves the browser until the person chooses to
// open GitHub, download or copy the entry. Each named kind of answer, condition and suggestion below
// is the one of the same name in intake/proposal.py; tests/test_propose_page.py checks that the two
// agree. Text from the catalog is only ever set with textContent.
(function () {
  "use strict";
  var source = document.getElementById("propose-data");
  var form = document.getElementById("propose");
  if (!source || !form) { return; }
  var D = JSON.parse(source.textContent);
  var byKey = {};
  D.questions.forEach(function (q) { byKey[q.key] = q; });
  D.integration_questions.forEach(function (q) { byKey["integrations." + q.key] = q; });
  var toolIds = {};
  D.tools.forEach(function (t) { toolIds[t.id] = t; });

  function Invalid(message) { this.message = message; }

  // --- answers as typed -> values (proposal.py's parsers) -------------------------------------------
  function words(text) {
    return text.split(/[,;]/).map(function (w) { return w.trim(); }).filter(Boolean);
  }
  function unique(values) {
    return values.filter(function (v, i) { return values.indexOf(v) === i; });
  }
  function slug(name) {
    var value = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
    return value.length >= 2 ? value : (value + "-tool").replace(/^-+/, "");
  }
  function re(name) { return new RegExp(D.patterns[name]); }
  function show(text) { return "'" + text + "'"; }

  var kinds = {
    "text": function (text) {
      var value = text.split(/\s+/).filter(Boolean).join(" ");
      if (!value) { throw new Invalid("this cannot be empty"); }
      return value;
    },
    "id": function (text) {
      var value = text.trim();
      if (!re("id").test(value)) {
        throw new Invalid(show(value) + " cannot be an id: use 2 to 63 lower-case letters, digits and dashes, like " + show(slug(value || "my tool")));
      }
      if (toolIds[value]) {
        throw new Invalid("the catalog already has a tool with the id " + show(value) + "; choose another id");
      }
      return value;
    },
    "website": function (text) {
      var value = text.trim();
      if (!/^https?:\/\//.test(value)) { value = "https://" + value; }
      if (!re("website").test(value)) { throw new Invalid(show(text.trim()) + " is not a web address; type one like www.example.com"); }
      return value;
    },
    "country": function (text) {
      var value = text.trim().toUpperCase();
      var problem = countryProblem(value);  // the same ISO list `check` uses (rule iso-codes)
      if (problem) { throw new Invalid(problem); }
      return value;
    },
    "countries": function (text) {
      var values = words(text);
      if (!values.length) { throw new Invalid("type at least one two-letter country code, like US or IE"); }
      return unique(values.map(function (v) { return kinds.country(v); }));
    },
    "words": function (text) { return unique(words(text).map(slug)); },
    "email": function (text) {
      var value = text.trim();
      if (canonicalEmail(value) === null) { throw new Invalid(show(value) + " is not an email address; type one like jane.doe@example.com"); }
      return value;
    },
    "other-email": function (text, answers) {
      var value = kinds.email(text);
      var business = get(answers, "owners.business");
      if (typeof business === "string" && canonicalEmail(business) === canonicalEmail(value)) {
        throw new Invalid(value + " is already the " + D.roles.business + "; the " + D.roles.technical + " must be a different person");
      }
      return value;
    },
    "data-categories": function (text) {
      var options = byKey["data.categories"].choices;
      var values = unique(words(text).map(function (w) { return choice(options, w); }));
      if (!values.length) { throw new Invalid("choose at least one of the kinds of data, or none"); }
      if (values.indexOf("none") >= 0 && values.length > 1) { throw new Invalid("'none' means no personal data at all; choose none alone"); }
      return values;
    },
    "whole": function (text) {
      var value = text.trim().replace(/[,_]/g, "");
      if (!/^[0-9]+$/.test(value)) { throw new Invalid(show(text.trim()) + " is not a whole number; type digits only, like 25"); }
      return parseInt(value, 10);
    },
    "amount": function (text) {
      var value = text.trim().replace(/[,_$€£¥]/g, "");
      var number = value === "" ? NaN : Number(value);
      if (isNaN(number) || !isFinite(number)) { throw new Invalid(show(text.trim()) + " is not an amount; type a number like 12000 or 12,000.50"); }
      if (number < 0) { throw new Invalid("an amount is zero or more, written in digits"); }
      return number;
    },
    "currency": function (text) {
      var value = text.trim().toUpperCase();
      var problem = currencyProblem(value);
      if (problem) { throw new Invalid(problem); }
      return value;
    },
    "tool": function (text, answers) {
      var value = text.trim();
      if (!toolIds[value]) { throw new Invalid("there is no tool " + show(value) + " in the catalog; connect only to tools in the catalog (propose the other tool first)"); }
      return value;
    },
    "future-date": function (text) {
      var value = text.trim();
      var day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(value + "T00:00:00Z") : null;
      if (!day || isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) {
        throw new Invalid(show(value) + " is not a date; type it as YYYY-MM-DD");
      }
      if (value <= D.today) { throw new Invalid(value + " is not after today (" + D.today + "); the next renewal is a future date"); }
      return value;
    },
    "yes-no": function (text) {
      var word = text.trim().toLowerCase();
      if (["y", "yes", "true"].indexOf(word) >= 0) { return true; }
      if (["n", "no", "false"].indexOf(word) >= 0) { return false; }
      throw new Invalid("answer yes or no");
    },
    "choice": function (text, answers, question) { return choice(question.choices, text); }
  };

  // check/codes.py's country_problem and currency_problem, on the ISO tables it exports (D.codes).
  var C = D.codes, COUNTRIES = {}, CURRENCIES = {};
  C.countries.forEach(function (c) { COUNTRIES[c] = true; });
  C.currencies.forEach(function (c) { CURRENCIES[c] = true; });
  function own(table, k) { return Object.prototype.hasOwnProperty.call(table, k) ? table[k] : null; }
  function countryProblem(code) {
    if (own(COUNTRIES, code)) { return null; }
    var text = show(code) + " is not an ISO 3166-1 country code", upper = code.toUpperCase();
    var meant = own(C.country_meant, upper);
    if (meant === null && code.length === 3) { meant = own(C.alpha3, upper); }
    if (meant === null && own(COUNTRIES, upper)) { meant = upper; }
    return meant ? text + "; write " + meant : text + "; write the two-letter code, e.g. US, IE or DE";
  }
  function currencyProblem(code) {
    if (own(CURRENCIES, code)) { return null; }
    var text = show(code) + " is not an ISO 4217 currency code", upper = code.toUpperCase();
    var meant = own(C.currency_meant, upper);
    if (meant === null && own(CURRENCIES, upper)) { meant = upper; }
    return meant ? text + "; write " + meant : text + "; write three letters, e.g. USD, EUR or GBP";
  }

  // check/identity.py's canonical_email: one form for an address (case, mailto:, <>, a trailing dot
  // and a +sub-address set aside), or null for what martechgate does not take as an address.
  function unwrap(text) { return text.charAt(0) === "<" && text.charAt(text.length - 1) === ">" ? text.slice(1, -1).trim() : text; }
  function canonicalEmail(value) {
    var text = unwrap(String(value).trim());
    if (text.slice(0, 7).toLowerCase() === "mailto:") { text = unwrap(text.slice(7).trim()); }
    if (!/^[\x00-\x7f]*$/.test(text)) { return null; }
    var found = re("email").exec(text.toLowerCase());
    if (!found) { return null; }
    var local = found.groups.local.split("+")[0];
    if (!local || local.charAt(0) === "." || local.charAt(local.length - 1) === ".") { return null; }
    return local + "@" + found.groups.domain;
  }

  function choice(options, text) {
    var value = text.trim().toLowerCase();
    if (/^[0-9]+$/.test(value) && +value >= 1 && +value <= options.length) { return options[+value - 1]; }
    if (options.indexOf(value) >= 0) { return value; }
    throw new Invalid(show(text.trim()) + " is not one of the choices: " + options.join(", "));
  }

  // The entry schema's own words for the field (enum, pattern, type, minimum, length).
  function schemaProblem(node, value) {
    if (Array.isArray(value)) {
      for (var i = 0; i < value.length; i++) {
        var inner = node.items ? schemaProblem(node.items, value[i]) : null;
        if (inner) { return inner; }
      }
      return null;
    }
    if (node.enum && node.enum.indexOf(value) < 0) { return "must be one of " + node.enum.join(", "); }
    if (node.pattern && typeof value === "string" && !new RegExp(node.pattern).test(value)) { return "does not have the form the schema asks for (" + node.pattern + ")"; }
    if (node.type === "integer" && !(typeof value === "number" && Math.floor(value) === value)) { return "must be a whole number"; }
    if (node.minimum !== undefined && typeof value === "number" && value < node.minimum) { return "must be at least " + node.minimum; }
    if (node.maxLength !== undefined && typeof value === "string" && value.length > node.maxLength) { return "must be at most " + node.maxLength + " characters"; }
    if (node.minLength !== undefined && typeof value === "string" && value.length < node.minLength) { return "cannot be empty"; }
    return null;
  }

  // --- the draft: dotted keys into nested objects --------------------------------------------------
  function get(obj, key) {
    return key.split(".").reduce(function (node, part) { return node && typeof node === "object" ? node[part] : undefined; }, obj);
  }
  function set(obj, key, value) {
    var parts = key.split("."), node = obj;
    for (var i = 0; i < parts.length - 1; i++) {
      if (typeof node[parts[i]] !== "object" || node[parts[i]] === null) { node[parts[i]] = {}; }
      node = node[parts[i]];
    }
    if (value === undefined) { delete node[parts[parts.length - 1]]; } else { node[parts[parts.length - 1]] = value; }
  }
  function personal(answers) {
    var categories = get(answers, "data.categories");
    return Array.isArray(categories) && categories.some(function (c) { return c !== "none"; });
  }
  var conditions = {
    "": function () { return true; },
    "personal": personal,
    "eu-data-outside-eea": function (a) {
      var residency = get(a, "data.residency");
      return get(a, "data.eu_subjects") === true && Array.isArray(residency) && residency.some(function (c) { return D.eea.indexOf(c) < 0; });
    },
    "paid": function (a) { return get(a, "contract.payment") !== "free"; },
    "auto-renews": function (a) { return get(a, "contract.auto_renew") === true; }
  };
  var suggestions = {
    "": function () { return null; },
    "id-from-name": function (a) { return a.name ? slug(String(a.name)) : null; },
    "name": function (a) { return a.name ? String(a.name) : null; },
    "vendor-country": function (a) { return get(a, "vendor.country") || null; },
    "usd": function () { return "USD"; },
    "payment-from-cost": function (a) { return get(a, "contract.annual_cost") === 0 ? "free" : "invoice"; },
    "tool-data": function (a) { return (get(a, "data.categories") || ["none"]).join(", "); }
  };

  // --- risk tier, reviewers, overlap (risk.py, review.py, proposal.overlaps) ---------------------------
  function list(v) { return Array.isArray(v) ? v : []; }
  function dict(v) { return v && typeof v === "object" && !Array.isArray(v) ? v : {}; }
  function inSet(values, set) { return values.filter(function (v) { return set.indexOf(v) >= 0; }).sort(); }
  function thousands(n) { return Math.round(n).toLocaleString("en-US"); }

  // check/money.py: amounts compared in the organisation's currency, converted by its rates; an
  // amount without a rate is never compared as a bare number.
  var M = D.money;
  function convert(amount) {
    if (amount.value === 0) { return 0; }
    if (amount.currency === M.currency) { return amount.value; }
    var rate = own(M.rates, amount.currency);
    return rate === null ? null : amount.value * rate;
  }
  function amountWords(amount) { return thousands(amount.value) + " " + amount.currency; }
  function missingRate(currency) {
    return "no exchange rate for " + currency + " in martechgate.yaml (exchange_rates.rates." + currency + ": the value of one " + currency + " in " + M.currency + ")";
  }
  function entryAmount(entry) {
    var contract = dict(entry.contract), value = contract.annual_cost;
    if (typeof value !== "number") { return null; }
    return { value: value, currency: typeof contract.currency === "string" && contract.currency ? contract.currency : M.currency };
  }
  function thresholdOf(value) {
    if (value && typeof value === "object") {
      return typeof value.amount === "number" ? { value: value.amount, currency: value.currency || M.currency } : null;
    }
    return typeof value === "number" ? { value: value, currency: M.currency } : null;
  }
  function inWords(amount, converted) {
    return amount.currency === M.currency ? amountWords(amount) : amountWords(amount) + " (" + thousands(converted) + " " + M.currency + ")";
  }

  function computedTier(entry) {
    var R = D.risk, data = dict(entry.data);
    var categories = unique(list(data.categories).filter(function (c) { return typeof c === "string"; }));
    var classification = data.classification;
    var amount = entryAmount(entry), converted = amount ? convert(amount) : 0;
    function reaches(limit) {
      if (!amount) { return null; }
      if (converted === null) {
        return "annual cost " + amountWords(amount) + " not comparable: " + missingRate(amount.currency) + "; assumed at least " + thousands(limit) + " " + M.currency;
      }
      if (converted < limit) { return null; }
      var shown = amountWords(amount);
      if (amount.currency !== M.currency) { shown += " (" + thousands(converted) + " " + M.currency + (M.as_of ? " at the rate of " + M.as_of : "") + ")"; }
      return "annual cost " + shown + " of at least " + thousands(limit) + " " + M.currency;
    }
    var carried = [];
    list(entry.integrations).forEach(function (i) { list(dict(i).data).forEach(function (c) { if (typeof c === "string" && carried.indexOf(c) < 0) { carried.push(c); } }); });
    var special = inSet(categories, R.special), held = inSet(categories, R.personal);
    if (classification === "restricted" && special.length) { return ["critical", ["restricted data of special categories (" + special.join(", ") + ")"]]; }
    var high = [];
    if (special.length) { high.push("special categories of data (" + special.join(", ") + ")"); }
    if ((classification === "confidential" || classification === "restricted") && held.length) { high.push(classification + " personal data (" + held.join(", ") + ")"); }
    var costHigh = reaches(R.high_cost);
    if (costHigh) { high.push(costHigh); }
    if (inSet(carried, R.special).length) { high.push("integrations carry " + inSet(carried, R.special).join(", ")); }
    if (high.length) { return ["high", high]; }
    var medium = [];
    if (held.length) { medium.push("personal data (" + held.join(", ") + ")"); }
    var costMedium = reaches(R.medium_cost);
    if (costMedium) { medium.push(costMedium); }
    if (dict(entry.oauth).consent === "tenant") { medium.push("tenant-wide OAuth consent"); }
    if (inSet(carried, R.personal).length) { medium.push("integrations carry " + inSet(carried, R.personal).join(", ")); }
    if (medium.length) { return ["medium", medium]; }
    return ["low", ["no personal data, low spend, no personal-data integrations"]];
  }

  function departmentKey(name) { return String(name).normalize("NFKC").toLowerCase().split(/\s+/).filter(Boolean).join(" "); }
  // rapidfuzz's ratio: 100 * 2 * (longest common subsequence) / (total length).
  function likeness(a, b) {
    if (!a.length && !b.length) { return 100; }
    var row = new Array(b.length + 1).fill(0);
    for (var i = 1; i <= a.length; i += 1) {
      var diagonal = 0;
      for (var j = 1; j <= b.length; j += 1) {
        var above = row[j];
        row[j] = a[i - 1] === b[j - 1] ? diagonal + 1 : Math.max(row[j], row[j - 1]);
        diagonal = above;
      }
    }
    return 200 * row[b.length] / (a.length + b.length);
  }
  // approvability.department_match: the rule's department this one is, or is written like.
  function departmentMatch(department, wanted) {
    var key = departmentKey(department), near = null;
    for (var k = 0; k < wanted.length; k += 1) {
      var other = departmentKey(wanted[k]);
      if (other === key) { return [String(wanted[k]), true]; }
      if (near === null && likeness(key, other) >= D.departmentLikeness) { near = [String(wanted[k]), false]; }
    }
    return near;
  }
  function rank(tier) { return D.risk.tiers.indexOf(tier); }

  // The review rules a new entry triggers (review.entry_reasons, for an entry with no previous version).
  function reviewers(entry) {
    var found = [];
    D.rules.forEach(function (rule) {
      var reasons = [];
      if (rule.paths === false) { return; }  // true: no path condition; a text: the pattern that matched
      if (typeof rule.paths === "string") { reasons.push("catalog/" + (entry.id || "<id>") + ".yaml matches " + rule.paths); }
      var when = rule.when;
      if (when.risk_tier) {
        var computed = computedTier(entry)[0], declared = get(entry, "review.risk_tier");
        var tier = rank(declared) > rank(computed) ? declared : computed;
        if (when.risk_tier.indexOf(tier) < 0) { return; }
        reasons.push("risk tier " + tier);
      }
      if (when.data_categories) {
        var held = list(get(entry, "data.categories"));
        var hit = when.data_categories.filter(function (c) { return held.indexOf(c) >= 0; });
        if (!hit.length) { return; }
        reasons.push("holds " + hit.join(", "));
      }
      if (when.annual_cost_over !== undefined) {
        var cost = entryAmount(entry), limit = thresholdOf(when.annual_cost_over);
        if (!cost || !limit) { return; }
        var costValue = convert(cost), limitValue = convert(limit);
        if (costValue === null || limitValue === null) {  // fail closed: never compare across currencies
          reasons.push("annual_cost_over assumed to hold: " + missingRate(costValue === null ? cost.currency : limit.currency));
        } else {
          if (costValue <= limitValue) { return; }
          reasons.push("annual cost " + inWords(cost, costValue) + " is over " + inWords(limit, limitValue));
        }
      }
      if (when.statuses) {
        if (when.statuses.indexOf(entry.status) < 0) { return; }
        reasons.push("status is " + entry.status);
      }
      if (when.categories) {
        if (when.categories.indexOf(entry.category) < 0) { return; }
        reasons.push("category is " + entry.category);
      }
      if (when.departments) {
        var department = get(entry, "owners.department");
        var matched = typeof department === "string" ? departmentMatch(department, when.departments) : null;
        if (matched === null) { return; }
        reasons.push("department is " + department + (matched[1] ? "" : " (written like " + matched[0] + ")"));
      }
      if (when.exceptions_changed !== undefined) {
        var changed = list(entry.exceptions).length > 0;
        if (changed !== Boolean(when.exceptions_changed)) { return; }
        reasons.push(changed ? "its exceptions were added or changed" : "its exceptions are unchanged");
      }
      found.push({ name: rule.name, require: rule.require, reasons: reasons });
    });
    return found;
  }

  function key(name) {
    return String(name || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "");
  }
  function vendorKey(name) {
    var plain = String(name || "").toLowerCase().replace(/[^a-z0-9 ]+/g, " ");
    return plain.replace(new RegExp(D.patterns.legal_suffixes, "g"), " ").split(/\s+/).filter(Boolean).join(" ");
  }
  function domain(url) {
    var m = /^https?:\/\/(?:www\.)?([^\/:]+)/.exec(String(url || "").toLowerCase());
    return m ? m[1] : null;
  }
  var HOW = { approved: "approved", restricted: "approved for restricted use", trial: "on trial" };

  // Tools this proposal may duplicate: the same product (names, ids and x-aliases equal once case,
  // accents and punctuation are set aside, or one contained in the other), the same vendor (its name
  // without legal suffixes, or its web domain), or a tool in use in the same category with shared
  // capabilities. `new` also scores near-misses with rapidfuzz; the page keeps to these.
  function overlaps(entry) {
    var found = [], name = key(entry.name), vendor = vendorKey(get(entry, "vendor.name")), site = domain(get(entry, "vendor.website"));
    var capabilities = list(entry.capabilities);
    D.tools.forEach(function (tool) {
      var spellings = [tool.name, tool.id].concat(tool.aliases).map(key).filter(Boolean);
      var same = name && spellings.some(function (s) { return s === name || (name.length >= 4 && s.length >= 4 && (s.indexOf(name) >= 0 || name.indexOf(s) >= 0)); });
      if (same) { found.push({ id: tool.id, sentence: tool.name + " is already in the catalog (" + tool.id + ", " + tool.status + ")" }); return; }
      var other = vendorKey(tool.vendor);
      if (vendor && other && (vendor === other || (site && site === domain(tool.website)))) {
        found.push({ id: tool.id, sentence: tool.name + " (" + tool.id + ", " + tool.status + ") is from the same vendor, " + tool.vendor });
        return;
      }
      var shared = capabilities.filter(function (c) { return tool.capabilities.indexOf(c) >= 0; }).sort();
      if (D.in_use.indexOf(tool.status) >= 0 && tool.category === entry.category && shared.length) {
        found.push({ id: tool.id, sentence: tool.name + " is already " + HOW[tool.status] + " for " + tool.category + " (same capabilities: " + shared.join(", ") + ")" });
      }
    });
    return found;
  }

  // --- the entry and its YAML -----------------------------------------------------------------------
  function finish(answers) {
    var entry = JSON.parse(JSON.stringify(answers));
    entry.apiVersion = D.api_version;
    if (!entry.status) { entry.status = "proposed"; }
    entry.review = dict(entry.review);
    var tier = computedTier(entry)[0];
    if (rank(entry.review.risk_tier) < rank(tier)) { entry.review.risk_tier = tier; }
    var ordered = {};
    D.field_order.forEach(function (k) { if (entry[k] !== undefined) { ordered[k] = entry[k]; } });
    Object.keys(entry).forEach(function (k) { if (ordered[k] === undefined) { ordered[k] = entry[k]; } });
    return ordered;
  }

  // Block mappings, flow lists; every text double-quoted with JSON's escapes (valid YAML), so a
  // value never reads back as a number, a date, true or null.
  function yaml(value, indent) {
    var pad = new Array(indent + 1).join("  "), lines = [];
    Object.keys(value).forEach(function (k) {
      var v = value[k];
      if (v && typeof v === "object" && !Array.isArray(v)) {
        lines.push(pad + k + ":");
        lines.push(yaml(v, indent + 1));
      } else if (Array.isArray(v)) {
        lines.push(pad + k + ": [" + v.map(function (x) { return JSON.stringify(x); }).join(", ") + "]");
      } else {
        lines.push(pad + k + ": " + JSON.stringify(v));
      }
    });
    return lines.join("\n");
  }
  function render(entry) {
    return D.modeline + "\n# Proposed with the catalog site's form on " + D.today + ".\n" + yaml(entry, 0) + "\n";
  }

  // --- the form --------------------------------------------------------------------------------------
  function fieldOf(q) { return document.getElementById("q-" + q.flag); }
  function textOf(q, field) {
    field = field || fieldOf(q);
    if (q.kind === "data-categories") {
      return Array.prototype.slice.call(field.querySelectorAll("input:checked")).map(function (b) { return b.value; }).join(", ");
    }
    return field.value;
  }

  // Every answer in order, as `new` takes them: suggestions for unanswered required questions,
  // questions whose condition no longer holds left out. Problems by question key.
  function read() {
    var answers = {}, problems = {};
    D.questions.forEach(function (q) {
      var holds = conditions[q.when](answers);
      document.getElementById("w-" + q.flag).hidden = !holds;
      if (!holds) { return; }
      var text = textOf(q).trim();
      if (!text && !q.optional) { text = suggestions[q.suggest](answers) || ""; }
      if (!text) {
        if (!q.optional) { problems[q.key] = "This one is needed."; }
        return;
      }
      try {
        var value = kinds[q.kind](text, answers, q);
        var wrong = schemaProblem(q.schema, value);
        if (wrong) { throw new Invalid(q.key + " " + wrong); }
        set(answers, q.key, value);
      } catch (e) {
        if (!(e instanceof Invalid)) { throw e; }
        problems[q.key] = e.message;
      }
    });
    readIntegrations(answers, problems);
    return { answers: answers, problems: problems };
  }

  // The connections, as `new`'s integration loop asks them: a tool of the catalog, listed once, then
  // the other questions, the kinds of data defaulting to those the tool holds.
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#integration-list > .integration")); }
  function readIntegrations(answers, problems) {
    var found = [];
    rows().forEach(function (row, index) {
      var integration = {};
      D.integration_questions.forEach(function (q) {
        var key = "integrations." + index + "." + q.key;
        var text = textOf(q, row.querySelector('[data-field="' + q.key + '"]')).trim();
        if (!text && !q.optional) { text = suggestions[q.suggest](answers) || ""; }
        if (!text) {
          if (!q.optional) { problems[key] = q.key === "target" ? "Choose a tool, or remove this connection." : "This one is needed."; }
          return;
        }
        try {
          var value = kinds[q.kind](text, answers, q);
          var wrong = schemaProblem(q.schema, value);
          if (wrong) { throw new Invalid(q.key + " " + wrong); }
          if (q.key === "target" && found.some(function (i) { return i.target === value; })) {
            throw new Invalid(value + " is already listed; choose another tool, or remove this connection");
          }
          integration[q.key] = value;
        } catch (e) {
          if (!(e instanceof Invalid)) { throw e; }
          problems[key] = e.message;
        }
      });
      found.push(integration);
    });
    if (found.length) { answers.integrations = found; }
  }

  // Where each problem is shown: the question's field and message, and the words that name it.
  function places() {
    var all = {};
    D.questions.forEach(function (q) {
      all[q.key] = { field: fieldOf(q), message: document.getElementById("e-" + q.flag), name: q.text };
    });
    rows().forEach(function (row, index) {
      D.integration_questions.forEach(function (q) {
        var field = row.querySelector('[data-field="' + q.key + '"]');
        all["integrations." + index + "." + q.key] = {
          field: field, message: field.parentNode.querySelector("[data-error]"), name: "Connection " + (index + 1) + ": " + q.text
        };
      });
    });
    return all;
  }

  function showProblems(problems, all) {
    var where = places();
    Object.keys(where).forEach(function (k) {
      var message = where[k].message, field = where[k].field;
      var touched = all || field.getAttribute("data-touched") === "1";
      var text = touched && problems[k] ? problems[k] : "";
      message.textContent = text;
      message.hidden = !text;
      if (text) { field.setAttribute("aria-invalid", "true"); } else { field.removeAttribute("aria-invalid"); }
    });
  }

  function fill(listNode, items) {
    while (listNode.firstChild) { listNode.removeChild(listNode.firstChild); }
    items.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      listNode.appendChild(li);
    });
  }

  var last = { overlap: "", summary: "" };
  function update(all) {
    var state = read();
    showProblems(state.problems, all);
    var entry = finish(state.answers);
    var found = overlaps(entry);
    var overlapText = found.map(function (o) { return o.sentence; }).join("\n");
    if (overlapText !== last.overlap) {  // a live region announces changes only
      last.overlap = overlapText;
      document.getElementById("overlap").hidden = !found.length;
      fill(document.getElementById("overlap-list"), found.map(function (o) { return o.sentence; }));
    }
    var tier = computedTier(entry), rules = reviewers(entry);
    var summary = tier[0] + "|" + rules.map(function (r) { return r.name; }).join(",");
    if (summary !== last.summary) {
      last.summary = summary;
      document.getElementById("tier").textContent = tier[0];
      document.getElementById("tier-reasons").textContent = tier[1].join("; ");
      fill(document.getElementById("reviewers"), rules.map(function (r) {
        return r.require.map(function (q) { return q.count + " from " + q.group + (q.who.length ? " (" + q.who.join(", ") + ")" : ""); }).join(" and ") +
          " — rule " + r.name + (r.reasons.length ? ": " + r.reasons.join("; ") : "");
      }));
    }
    return { state: state, entry: entry };
  }

  function finishForm(event) {
    event.preventDefault();
    var result = update(true);
    var problems = result.state.problems, keys = Object.keys(problems);
    var box = document.getElementById("problems"), out = document.getElementById("result");
    if (keys.length) {
      out.hidden = true;
      box.hidden = false;
      var listNode = document.getElementById("problem-list");
      while (listNode.firstChild) { listNode.removeChild(listNode.firstChild); }
      var where = places();
      keys.forEach(function (k) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = "#" + where[k].field.id;
        a.textContent = where[k].name + ": " + problems[k];
        li.appendChild(a);
        listNode.appendChild(li);
      });
      box.focus();
      return;
    }
    box.hidden = true;
    var entry = result.entry, text = render(entry);
    document.getElementById("yaml").value = text;
    document.getElementById("yaml-label").textContent = "catalog/" + entry.id + ".yaml";
    var download = document.getElementById("download");
    download.href = "data:application/yaml;charset=utf-8," + encodeURIComponent(text);
    download.setAttribute("download", entry.id + ".yaml");
    var github = document.getElementById("github");
    if (D.target) {
      github.href = "https://github.com/" + D.target.repository + "/new/" + encodeURIComponent(D.target.branch) +
        "?filename=" + encodeURIComponent("catalog/" + entry.id + ".yaml") + "&value=" + encodeURIComponent(text);
    }
    out.hidden = false;
    document.getElementById("result-heading").focus();
  }

  function copy() {
    var area = document.getElementById("yaml"), status = document.getElementById("copy-status");
    function done() { status.textContent = "Copied to the clipboard."; }
    function fallback() {
      area.select();
      try { document.execCommand("copy"); done(); } catch (e) { status.textContent = "Select the text and copy it (Ctrl+C)."; }
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(area.value).then(done, fallback);
    } else { fallback(); }
  }

  form.hidden = false;
  document.getElementById("needs-script").hidden = true;
  form.addEventListener("input", function (event) {
    if (event.target && event.target.setAttribute) { (event.target.closest("[data-touched]") || event.target).setAttribute("data-touched", "1"); }
    update(false);
  });
  form.addEventListener("change", function () { update(false); });
  form.addEventListener("submit", finishForm);
  document.getElementById("copy").addEventListener("click", copy);

  // A new connection: the row template, its fields given ids so that labels, links to problems and
  // screen readers find them; focus moves to its first question, and back to the button on removal.
  var added = 0;
  function number() {
    rows().forEach(function (row, index) { row.querySelector("legend .n").textContent = String(index + 1); });
  }
  document.getElementById("add-integration").addEventListener("click", function () {
    var row = document.getElementById("integration-row").content.firstElementChild.cloneNode(true), n = ++added;
    row.querySelectorAll(".question").forEach(function (box, i) {
      var field = box.querySelector("[data-field]"), label = box.querySelector("[data-label]");
      var help = box.querySelector("[data-help]"), error = box.querySelector("[data-error]"), base = "i" + n + "-" + i;
      field.id = base;
      error.id = base + "-e";
      if (help) { help.id = base + "-h"; }
      if (label) { label.htmlFor = base; }
      field.setAttribute("aria-describedby", (help ? base + "-h " : "") + base + "-e");
    });
    row.querySelector(".remove").addEventListener("click", function () {
      row.parentNode.removeChild(row);
      number();
      update(false);
      document.getElementById("add-integration").focus();
    });
    document.getElementById("integration-list").appendChild(row);
    number();
    row.querySelector("[data-field]").focus();
    update(false);
  });
  window.martechgatePropose = {  // for the tests that compare the page with martechgate new
    computedTier: computedTier, reviewers: reviewers, overlaps: overlaps, finish: finish, render: render,
    parse: function (k, text, answers) {
      var q = byKey[k];
      try {
        var value = kinds[q.kind](text, answers || {}, q);
        var wrong = schemaProblem(q.schema, value);
        return wrong ? { problem: wrong } : { value: value };
      } catch (e) { if (e instanceof Invalid) { return { problem: e.message }; } throw e; }
    }
  };
  update(false);
}());

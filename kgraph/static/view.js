/* The network view's behaviour: filters, search, the facts panel (kgraph/viz.py documents the
 * DOM ids and window.kgraphView). Text from the reports is only ever put into the page with
 * textContent, never parsed as markup. */
(function () {
  "use strict";

  // The one address in the page: a link the user may follow (never fetched by the page).
  var WIKIDATA = "https://www.wikidata.org/wiki/";
  var data = JSON.parse(document.getElementById("kgraph-data").textContent);
  var styles = data.styles;
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var edgeById = {};
  data.edges.forEach(function (e) { edgeById[e.id] = e; });

  var nodes = new vis.DataSet(data.vis.nodes);
  var edges = new vis.DataSet(data.vis.edges);
  var panel = document.getElementById("panel");
  var statusLine = document.getElementById("status");
  var yearFrom = document.getElementById("year-from");
  var yearTo = document.getElementById("year-to");
  var countrySelect = document.getElementById("country");
  var search = document.getElementById("search");
  var relationBoxes = Array.prototype.slice.call(
    document.querySelectorAll('input[name="relation"]'));

  var view = {
    network: null,
    nodes: nodes,
    edges: edges,
    ready: false,
    visibleNodeIds: function () { return idsShown(nodes); },
    visibleEdgeIds: function () { return idsShown(edges); },
    applyFilters: applyFilters,
    showNode: showNode,
    find: findNode,
    fitConnected: fitConnected
  };
  window.kgraphView = view;

  function idsShown(set) {
    return set.get({ filter: function (item) { return !item.hidden; } })
      .map(function (item) { return item.id; });
  }

  // ------------------------------------------------------------------ filters

  function readFilters() {
    var relations = {};
    var count = 0;
    relationBoxes.forEach(function (box) {
      if (box.checked) { relations[box.value] = true; count += 1; }
    });
    var first = data.years ? data.years[0] : 0;
    var last = data.years ? data.years[1] : 0;
    var from = parseInt(yearFrom.value, 10);
    var to = parseInt(yearTo.value, 10);
    if (isNaN(from)) { from = first; }
    if (isNaN(to)) { to = last; }
    if (from > to) { var swap = from; from = to; to = swap; }  // 2025–2023 means 2023–2025
    var yearActive = Boolean(data.years) && (from > first || to < last);
    var country = countrySelect.value;
    return {
      relations: relations,
      from: from,
      to: to,
      yearActive: yearActive,
      country: country,
      active: count < relationBoxes.length || yearActive || country !== ""
    };
  }

  function countryOf(id) {
    var n = byId[id];
    return n && !n.home ? n.country : null;
  }

  function edgeShown(e, f) {
    if (!f.relations[e.relation]) { return false; }
    if (f.yearActive && !e.years.some(function (y) { return y >= f.from && y <= f.to; })) {
      return false;
    }
    if (f.country && countryOf(e.source) !== f.country && countryOf(e.target) !== f.country) {
      return false;
    }
    return true;
  }

  function applyFilters() {
    var f = readFilters();
    var touched = {};
    var edgeUpdates = data.edges.map(function (e) {
      var shown = edgeShown(e, f);
      if (shown) { touched[e.source] = true; touched[e.target] = true; }
      return { id: e.id, hidden: !shown };
    });
    var nodeUpdates = data.nodes.map(function (n) {
      return { id: n.id, hidden: f.active && !touched[n.id] };
    });
    edges.update(edgeUpdates);
    nodes.update(nodeUpdates);
    var shownIds = view.visibleNodeIds();
    if (view.network && view.ready && shownIds.length) {
      view.network.fit({ nodes: shownIds, animation: false });
      if (view.network.getScale() > 1.5) {
        view.network.moveTo({ scale: 1.5, animation: false });
      }
    }
    showStatus();
  }

  function resetFilters() {
    relationBoxes.forEach(function (box) { box.checked = true; });
    if (data.years) {
      yearFrom.value = data.years[0];
      yearTo.value = data.years[1];
    }
    countrySelect.value = "";
    applyFilters();
  }

  function showStatus(message) {
    var text = view.visibleNodeIds().length + " of " + data.nodes.length + " entities, " +
      view.visibleEdgeIds().length + " of " + data.edges.length + " edges shown";
    statusLine.textContent = message ? message + " · " + text : text;
  }

  [yearFrom, yearTo, countrySelect].concat(relationBoxes).forEach(function (control) {
    control.addEventListener("input", applyFilters);
    control.addEventListener("change", applyFilters);
  });
  document.getElementById("reset").addEventListener("click", resetFilters);

  // ------------------------------------------------------------------ search

  function normal(text) {
    // NFKD then no combining marks: Hachiōji finds Hachioji; NFKC: full-width letters.
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .normalize("NFKC").toLowerCase()
      .replace(/臺/g, "台").replace(/[\s·・‧．.]/g, "");
  }

  var nameIndex = data.nodes.map(function (n) {
    var names = [n.label, n.label_en].concat(n.aliases).filter(Boolean).map(normal);
    return { id: n.id, names: names };
  });

  /* The node best matching a name: exact before prefix before substring, a shown node
     before a hidden one, more connections first. */
  function findNode(query) {
    var key = normal(query);
    if (!key) { return null; }
    var hidden = {};
    nodes.get({ filter: function (n) { return n.hidden; } })
      .forEach(function (n) { hidden[n.id] = true; });
    var best = null;
    var bestRank = -1;
    nameIndex.forEach(function (entry) {
      var score = 0;
      entry.names.forEach(function (name) {
        var s = name === key ? 3 : name.indexOf(key) === 0 ? 2 : name.indexOf(key) > 0 ? 1 : 0;
        score = Math.max(score, s);
      });
      if (!score) { return; }
      var rank = score * 1e7 + (hidden[entry.id] ? 0 : 1e6) + byId[entry.id].degree;
      if (rank > bestRank) { best = entry.id; bestRank = rank; }
    });
    return best;
  }

  function runSearch() {
    var query = search.value.trim();
    if (!query) { return; }
    var id = findNode(query);
    if (id === null) {
      showStatus("No entity named “" + query + "”");
      return;
    }
    if (nodes.get(id).hidden) { resetFilters(); }
    focusNode(id);
    showStatus("Found " + byId[id].label);
  }

  function focusNode(id) {
    if (view.network) {
      view.network.selectNodes([id]);
      view.network.focus(id, { scale: 1.3, animation: false });
    }
    showNode(id);
  }

  search.addEventListener("change", runSearch);
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); runSearch(); }
  });

  // ------------------------------------------------------------------ the panel

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
  }

  function words(code) { return String(code || "").replace(/_/g, " "); }

  function dateRange(start, end) {
    if (start && end && start !== end) { return start + " – " + end; }
    return start || end || "undated";
  }

  function addFact(dl, term, value) {
    if (value === undefined || value === null || value === "" ||
        (Array.isArray(value) && !value.length)) { return; }
    dl.appendChild(el("dt", term));
    var dd = el("dd");
    if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = String(value); }
    dl.appendChild(dd);
  }

  function nodeButton(id) {
    var n = byId[id];
    var button = el("a", n ? n.label : id);
    button.href = "#";
    button.addEventListener("click", function (event) {
      event.preventDefault();
      if (nodes.get(id) && nodes.get(id).hidden) { resetFilters(); }
      focusNode(id);
    });
    return button;
  }

  function joined(items, separator) {
    var span = el("span");
    items.forEach(function (item, i) {
      if (i) { span.appendChild(document.createTextNode(separator)); }
      span.appendChild(item);
    });
    return span;
  }

  function partyList(roles, role) {
    return roles.filter(function (r) { return r.role === role; })
      .map(function (r) { return nodeButton(r.node); });
  }

  // A passage is [doc, start, end, quote], doc and quote indexing their tables (viz.py).
  function passageBlock(index) {
    var table = data.passages, p = table.spans[index];
    var block = el("div");
    block.appendChild(el("span", table.docs[p[0]] + " · " + p[1] + "–" + p[2], "where"));
    block.appendChild(el("blockquote", table.quotes[p[3]]));
    return block;
  }

  /* One fact as a list item: when, what, who, and its passages. ``node`` is the node the
     panel is about (its role is named), or null. */
  function factItem(f, node) {
    var li = el("li");
    li.appendChild(el("span", dateRange(f.start, f.end), "when"));
    li.appendChild(document.createTextNode(" "));
    var what = styles.relations[f.relation].label.split(" (")[0];
    var kind = f.kind && f.kind !== f.relation ? " · " + words(f.kind) : "";
    li.appendChild(el("span", what + kind, "rel"));
    if (node) {
      var roles = f.parties.concat(f.persons).filter(function (r) { return r.node === node.id; })
        .map(function (r) { return r.role; });
      if (roles.length) { li.appendChild(el("span", " (as " + roles.join(", ") + ")", "when")); }
    }
    li.appendChild(document.createElement("br"));
    if (f.relation === "visit") {
      li.appendChild(joined([
        joined(partyList(f.parties, "visitor"), "、"),
        document.createTextNode(" → "),
        joined(partyList(f.parties, "host"), "、")
      ], ""));
      if (f.direction) { li.appendChild(el("span", " (" + f.direction + ")", "when")); }
    } else {
      li.appendChild(joined(partyList(f.parties, f.relation === "agreement" ? "party" : "partner"),
        " × "));
    }
    var people = [["visitor", "visitors: "], ["host", "hosts: "], ["signatory", "signed by: "],
      ["witness", "witnessed by: "]];
    people.forEach(function (pair) {
      var list = partyList(f.persons, pair[0]);
      if (list.length) {
        li.appendChild(document.createElement("br"));
        li.appendChild(document.createTextNode(pair[1]));
        li.appendChild(joined(list, "、"));
      }
    });
    if (f.passages.length) {
      var details = el("details");
      details.open = f.passages.length === 1 && node === null;
      details.appendChild(el("summary", f.passages.length + " source passage" +
        (f.passages.length > 1 ? "s" : "")));
      f.passages.forEach(function (i) { details.appendChild(passageBlock(i)); });
      li.appendChild(details);
    }
    return li;
  }

  function factOrder(a, b) {
    var x = a.start || a.end || "9999";
    var y = b.start || b.end || "9999";
    return x < y ? -1 : x > y ? 1 : a.id - b.id;
  }

  function factList(ids, node) {
    var list = el("ol");
    ids.map(function (i) { return data.facts[i]; }).sort(factOrder)
      .forEach(function (f) { list.appendChild(factItem(f, node)); });
    return list;
  }

  function showNode(id) {
    var n = byId[id];
    if (!n) { return; }
    clear(panel);
    panel.appendChild(el("h2", n.label));
    var dl = el("dl");
    var kind = styles.kinds[n.group] ? styles.kinds[n.group].label : n.group;
    addFact(dl, "Kind", kind + (n.type ? " (" + n.type + (n.kind ? ", " + n.kind : "") + ")" : ""));
    addFact(dl, "Country", n.country);
    addFact(dl, "English", n.label_en);
    addFact(dl, "Aliases", n.aliases.join("、"));
    addFact(dl, "Titles", n.titles.map(function (t) {
      return t.title + (t.of ? " · " + t.of : "") + (t.date ? " (" + t.date + ")" : "");
    }).join("；"));
    if (n.wikidata) {
      var link = el("a", n.wikidata);
      link.setAttribute("href", WIKIDATA + encodeURIComponent(n.wikidata));
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      addFact(dl, "Wikidata", link);
    }
    addFact(dl, "Connections", n.degree);
    addFact(dl, "IRI", n.iri);
    panel.appendChild(dl);

    panel.appendChild(el("h3", "Facts 事實 (" + n.facts.length + ")"));
    if (n.facts.length) {
      panel.appendChild(factList(n.facts, n));
    } else {
      panel.appendChild(el("p", "No visit, agreement or partnership names it.", "hint"));
    }

    var mentioned = Math.max(n.mentioned || 0, n.mentions.length);
    panel.appendChild(el("h3", "Mentions 提及 (" + mentioned.toLocaleString("en") + ")"));
    if (n.mentions.length) {
      var details = el("details");
      details.open = n.mentions.length <= 5;
      details.appendChild(el("summary", n.mentions.length < mentioned
        ? n.mentions.length + " of the passages naming " + n.label +
          ", the first of each report in turn (kgraph entities --format json lists them all)"
        : "passages naming " + n.label));
      var list = el("ol");
      n.mentions.forEach(function (i) { list.appendChild(el("li")).appendChild(passageBlock(i)); });
      details.appendChild(list);
      panel.appendChild(details);
    }
    panel.scrollTop = 0;
  }

  function showEdge(id) {
    var e = edgeById[id];
    if (!e) { return; }
    clear(panel);
    var arrow = e.relation === "visit" || e.relation === "took_part" ? " → " : " — ";
    panel.appendChild(el("h2", byId[e.source].label + arrow + byId[e.target].label));
    panel.appendChild(el("p", styles.relations[e.relation].label, "rel"));
    panel.appendChild(el("h3", "Facts 事實 (" + e.facts.length + ")"));
    panel.appendChild(factList(e.facts, null));
    panel.scrollTop = 0;
  }

  // ------------------------------------------------------------------ the network

  var network = new vis.Network(
    document.getElementById("network"), { nodes: nodes, edges: edges }, data.vis.options);
  view.network = network;
  var settled = data.nodes.length === 0;

  network.on("stabilizationProgress", function (p) {
    statusLine.textContent = "Laying out the network… " +
      Math.round(100 * p.iterations / p.total) + "%";
  });
  /* The first view frames the connected nodes: the entities no relation names would
     otherwise stretch it to a ring around them, and shrink every label below legibility. */
  function fitConnected() {
    var connected = data.nodes.filter(function (n) { return n.degree > 0; })
      .map(function (n) { return n.id; });
    network.fit({ nodes: connected.length ? connected : undefined, animation: false });
    if (network.getScale() > 1.5) { network.moveTo({ scale: 1.5, animation: false }); }
  }

  network.once("stabilizationIterationsDone", function () {
    network.setOptions({ physics: { enabled: false } });
    settled = true;
    fitConnected();
  });
  network.on("afterDrawing", function () {
    if (settled && !view.ready) {
      view.ready = true;
      document.body.setAttribute("data-ready", "true");
      showStatus();
    }
  });
  network.on("click", function (params) {
    if (params.nodes.length) {
      showNode(params.nodes[0]);
    } else if (params.edges.length) {
      showEdge(params.edges[0]);
    }
  });
  applyFilters();
  if (settled) { network.redraw(); }
}());

import { CRITICALITY_LABELS, ITEM_TYPES, ITEM_TYPE_NAMES, RELATION_TYPES, RELATION_TYPE_NAMES, STATUS_LABELS } from '../../domain/cmdb';

/** Node colours by item type; lifecycle status shows as the border (see the legend). */
export const TYPE_COLOURS: Record<string, string> = {
  business_system: '#c0392b',
  application_module: '#2980b9',
  server: '#27ae60',
  database: '#8e44ad',
  middleware: '#16a085',
  network_device: '#d35400',
  storage: '#7f8c8d',
  interface: '#f39c12',
  backup_job: '#34495e',
};

const LABELS = {
  types: Object.fromEntries(ITEM_TYPE_NAMES.map((t) => [t, ITEM_TYPES[t].label])),
  relations: Object.fromEntries(RELATION_TYPE_NAMES.map((t) => [t, RELATION_TYPES[t].label])),
  statuses: STATUS_LABELS,
  criticalities: CRITICALITY_LABELS,
  attributes: Object.fromEntries(ITEM_TYPE_NAMES.map((t) => [t, Object.fromEntries(Object.entries(ITEM_TYPES[t].attributes).map(([k, v]) => [k, v.label]))])),
  colours: TYPE_COLOURS,
};

/**
 * The topology page (P1). It carries no data and no credential (issue 16: no long-lived token in a URL): the script
 * fetches the graph with the signed-in person's session cookie; without a session it links to the console's sign-in.
 * The console draws the same graph in its CMDB pages; this page stays for links already sent around.
 */
export function topologyPageHtml(): string {
  const labels = JSON.stringify(LABELS).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>配置拓扑 · Wardline CMDB</title>
<style>
  body { margin: 0; font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; display: flex; flex-direction: column; height: 100vh; }
  header { padding: 8px 16px; background: #1f2d3d; color: #fff; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
  header form { display: flex; gap: 8px; align-items: center; }
  main { flex: 1; display: flex; min-height: 0; }
  #cy { flex: 1; min-width: 0; background: #fafbfc; }
  aside { width: 320px; border-left: 1px solid #ddd; padding: 12px; overflow: auto; font-size: 14px; }
  #legend span { display: inline-block; margin: 2px 6px 2px 0; font-size: 12px; }
  #legend i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 3px; }
  #status.error { color: #ffb3b3; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 8px; } dt { color: #666; } dd { margin: 0; word-break: break-all; }
</style>
</head>
<body data-state="loading">
<header>
  <strong>配置拓扑</strong>
  <form id="pick"><label>配置项 <input name="item" size="24"></label><label>深度 <select name="depth"><option>1</option><option selected>2</option><option>3</option><option>4</option><option>5</option></select></label><button>查看</button></form>
  <span id="status">加载中…</span>
</header>
<main>
  <div id="cy"></div>
  <aside><div id="legend"></div><h3>详情</h3><div id="details">点击节点查看详情</div></aside>
</main>
<script src="/cmdb/assets/cytoscape.min.js"></script>
<script>
(function () {
  var L = ${labels};
  var params = new URLSearchParams(location.search);
  var item = params.get('item') || '';
  var depth = params.get('depth') || '2';
  // A token in an old link's fragment is dropped unread: the session cookie is the credential now.
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  var form = document.getElementById('pick');
  form.item.value = item; form.depth.value = depth;
  var statusEl = document.getElementById('status');
  function status(text, state) { statusEl.textContent = text; statusEl.className = state === 'error' ? 'error' : ''; document.body.dataset.state = state; }
  var legend = document.getElementById('legend');
  Object.keys(L.types).forEach(function (t) {
    var s = document.createElement('span'); var i = document.createElement('i'); i.style.background = L.colours[t];
    s.appendChild(i); s.appendChild(document.createTextNode(L.types[t])); legend.appendChild(s);
  });
  var note = document.createElement('div'); note.style.fontSize = '12px'; note.style.color = '#666';
  note.textContent = '边框：运行中 实线 · 维护中 橙色 · 规划中 虚线 · 已退役 灰色半透明'; legend.appendChild(note);

  function show(n) {
    var box = document.getElementById('details'); box.textContent = '';
    var dl = document.createElement('dl');
    function row(k, v) { var dt = document.createElement('dt'); dt.textContent = k; var dd = document.createElement('dd'); dd.textContent = v == null || v === '' ? '—' : String(v); dl.appendChild(dt); dl.appendChild(dd); }
    row('名称', n.displayName); row('编码', n.name); row('类型', L.types[n.type] || n.type);
    row('状态', L.statuses[n.lifecycleStatus] || n.lifecycleStatus); row('重要程度', L.criticalities[n.criticality] || n.criticality);
    row('归属科室', n.ownerDepartment); row('厂商', n.vendor && n.vendor.name);
    if (n.revenuePerHour != null) row('每小时收入 (元)', n.revenuePerHour);
    var names = L.attributes[n.type] || {};
    Object.keys(n.attributes || {}).forEach(function (k) { row(names[k] || k, n.attributes[k]); });
    box.appendChild(dl); box.dataset.item = n.id;
  }

  if (!item) { status('请在地址中给出 ?item=配置项（如 SYS-11）', 'error'); return; }
  fetch('/cmdb/items/' + encodeURIComponent(item) + '/topology?depth=' + encodeURIComponent(depth), { credentials: 'same-origin' })
    .then(function (res) { return res.json().then(function (body) {
      if (res.status === 401) {
        var back = encodeURIComponent('/cmdb/' + item + '?depth=' + depth);
        var a = document.createElement('a'); a.href = '/#/sign-in?next=' + back; a.style.color = '#9cf'; a.textContent = '登录控制台';
        statusEl.textContent = '未登录：请先 '; statusEl.appendChild(a);
        document.body.dataset.state = 'error';
        throw null;
      }
      if (!res.ok) throw new Error(res.status + ' ' + (body.message || ''));
      return body; }); })
    .then(function (g) {
      var byId = {};
      var elements = g.nodes.map(function (n) {
        byId[n.id] = n;
        return { data: { id: n.id, label: n.displayName + '\\n' + (L.types[n.type] || n.type) + ' · ' + (L.statuses[n.lifecycleStatus] || n.lifecycleStatus), colour: L.colours[n.type] || '#999', status: n.lifecycleStatus, root: n.id === g.root ? 'yes' : 'no', depth: n.depth } };
      }).concat(g.edges.map(function (e) { return { data: { id: e.id, source: e.source, target: e.target, label: L.relations[e.type] || e.type } }; }));
      var cy = cytoscape({
        container: document.getElementById('cy'),
        elements: elements,
        layout: { name: 'concentric', concentric: function (n) { return 10 - n.data('depth'); }, levelWidth: function () { return 1; }, minNodeSpacing: 60 },
        style: [
          { selector: 'node', style: { 'background-color': 'data(colour)', label: 'data(label)', 'text-wrap': 'wrap', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 4, width: 28, height: 28, 'border-width': 2, 'border-color': '#2c3e50' } },
          { selector: 'node[status = "maintenance"]', style: { 'border-color': '#e67e22', 'border-width': 4 } },
          { selector: 'node[status = "planned"]', style: { 'border-style': 'dashed' } },
          { selector: 'node[status = "retired"]', style: { opacity: 0.45, 'border-color': '#aaa' } },
          { selector: 'node[root = "yes"]', style: { width: 40, height: 40, 'border-width': 5, 'border-color': '#f1c40f' } },
          { selector: 'edge', style: { width: 1.5, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', label: 'data(label)', 'font-size': 9, color: '#555', 'line-color': '#95a5a6', 'target-arrow-color': '#95a5a6' } },
          { selector: ':selected', style: { 'overlay-opacity': 0.2 } },
        ],
      });
      cy.on('tap', 'node', function (evt) { show(byId[evt.target.id()]); });
      window.cy = cy;
      show(byId[g.root]);
      status(g.nodes.length + ' 个配置项，' + g.edges.length + ' 条关系' + (g.truncated ? '（已截断）' : ''), 'ready');
    })
    .catch(function (err) { if (err) status('加载失败：' + err.message, 'error'); });
})();
</script>
</body>
</html>`;
}

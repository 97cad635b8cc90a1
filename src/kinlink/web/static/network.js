// Draws the network picture of the person page from the elements the page carries.
// Nodes are coloured by risk; a click on a person opens their page, a click on a link
// jumps to its evidence in the tables below the picture.
const container = document.getElementById("network");
const data = document.getElementById("network-data");
if (container && data && window.cytoscape) {
  const colours = { high: "#d4351c", medium: "#f47738", low: "#ffdd00", none: "#b1b4b6" };
  const cy = window.cytoscape({
    container,
    elements: JSON.parse(data.textContent),
    layout: { name: "concentric", concentric: (n) => (n.data("kind") === "child" ? 2 : 1),
              levelWidth: () => 1, minNodeSpacing: 110, animate: false },
    style: [
      { selector: "node", style: {
          "background-color": (n) => colours[n.data("level")] || colours.none,
          "border-width": 2, "border-color": "#0b0c0c",
          label: "data(label)", "text-wrap": "wrap", "text-valign": "bottom",
          "text-margin-y": 6, "font-size": 12, color: "#0b0c0c", width: 34, height: 34 } },
      { selector: "node[kind = 'child']", style: {
          "border-color": "#1d70b8", "border-width": 6, width: 46, height: 46 } },
      { selector: "edge", style: {
          width: 2, "line-color": "#505a5f", "curve-style": "bezier",
          label: "data(label)", "font-size": 10, "text-wrap": "wrap",
          "text-background-color": "#ffffff", "text-background-opacity": 1,
          "text-background-padding": 2, color: "#0b0c0c" } },
      { selector: "edge[!recorded]", style: { "line-style": "dashed" } },
    ],
  });
  cy.on("tap", "node, edge", (event) => {
    const href = event.target.data("href");
    if (href) window.location.assign(href);
  });
  container.setAttribute("data-ready", "true");
}

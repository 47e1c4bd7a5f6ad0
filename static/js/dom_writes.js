// Writes to the page made only when they change something: setting a property to the value it
// already has still restyles (and may lay out and repaint) the element, and the workspace
// refills its editor, list controls and buttons after every write to the server.

/** element[property] = value, unless it is that already ("textContent", "hidden", "disabled", ...). */
export function setProperty(element, property, value) {
  if (element[property] !== value) element[property] = value;
}

/*
 * Flow D's display settings from the redemption answer: theme_mode, custom_css_vars (only --names
 * with plain values: nothing that loads, imports or escapes the declaration) and start_message.
 */
const CSS_VAR = /^--[A-Za-z0-9_-]{1,64}$/;

/** Applies the theme to `root` (the <html> element); answers the start message, or null. */
export function applySettings(settings, root) {
  if (!settings || typeof settings !== 'object') {
    return null;
  }
  const mode = settings.theme_mode;
  if (mode === 'light' || mode === 'dark') {
    root.dataset.theme = mode;
  } else if (mode === 'both' || mode === 'auto' || mode === 'system') {
    root.dataset.theme = 'auto';
  }
  const vars = settings.custom_css_vars;
  if (vars && typeof vars === 'object' && !Array.isArray(vars)) {
    for (const name of Object.keys(vars).slice(0, 64)) {
      const value = typeof vars[name] === 'number' ? String(vars[name]) : vars[name];
      if (CSS_VAR.test(name) && typeof value === 'string' && safeCssValue(value)) {
        root.style.setProperty(name, value);
      }
    }
  }
  const start = typeof settings.start_message === 'string' ? settings.start_message.trim() : '';
  return start ? start.slice(0, 500) : null;
}

function safeCssValue(value) {
  return (
    value.length > 0 &&
    value.length <= 256 &&
    !/[;{}<>"'\\\u0000-\u001f\u007f\u2028\u2029]/.test(value) &&
    !/(url|image|image-set|cross-fade|element|expression|attr|src)\s*\(/i.test(value) &&
    !/@import|javascript:/i.test(value)
  );
}

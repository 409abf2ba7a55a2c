/** Text made safe to place in innerHTML and attribute values: table cells, column names and labels come from files a person may have edited. */
export function escapeHtml(s: string | undefined): string {
  return (s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

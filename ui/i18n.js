// The window's own words in both languages. Messages that come from Rust arrive as
// {zh, en} pairs and are picked with `pick`; these are the labels around them.

export const STRINGS = {
  'app.title': ['身份证核验台', 'IDCheck'],
  'demo.badge': ['演示模式', 'Demo mode'],
  'demo.mark': ['演示', 'DEMO'],
  'btn.clear': ['清空', 'Clear'],
  'btn.clear.title': ['清空表单和照片（Esc）', 'Clear the form and the photo (Esc)'],
  'btn.settings': ['设置', 'Settings'],
  'btn.cancel': ['取消', 'Cancel'],
  'btn.close': ['关闭', 'Close'],
  'btn.save': ['保存', 'Save'],
  'btn.delete': ['删除', 'Delete'],
  'btn.test': ['测试连接', 'Test connection'],
  'btn.reveal': ['显示', 'Show'],
  'btn.hide': ['隐藏', 'Hide'],
  'btn.save_settings': ['保存设置', 'Save settings'],
  'photo.title': ['证件照片', 'Card photo'],
  'photo.drop': ['把身份证照片拖到这里', 'Drop a photo of the ID card here'],
  'photo.or': ['或按 Ctrl+V 粘贴，或', 'or paste it with Ctrl+V, or'],
  'photo.open': ['打开…', 'Open…'],
  'photo.choose': ['选择文件', 'Choose file'],
  'photo.read': ['重新识别', 'Read again'],
  'photo.many': ['拖入了 {n} 个文件，只使用第一个：{name}', '{n} files dropped; using the first one: {name}'],
  'photo.no_image_in_clipboard': ['剪贴板里没有图片。请先复制一张照片，再按 Ctrl+V。', 'The clipboard holds no image. Copy a photo first, then press Ctrl+V.'],
  'photo.size': ['{w}×{h} 像素', '{w}×{h} pixels'],
  'ocr.running': ['正在识别…', 'Reading the card…'],
  'ocr.source': ['识别：{provider}', 'Read by: {provider}'],
  'ocr.low': ['识别把握不大，请核对', 'Low confidence: please check'],
  'ocr.cancelled': ['已取消识别。', 'Reading cancelled.'],
  'form.title': ['证件信息', 'Card details'],
  'form.front': ['人像面', 'Front (photo side)'],
  'form.back': ['国徽面', 'Back (emblem side)'],
  'f.name': ['姓名', 'Name'],
  'f.number': ['公民身份号码', 'ID number'],
  'f.sex': ['性别', 'Sex'],
  'f.ethnicity': ['民族', 'Ethnicity'],
  'f.birth': ['出生', 'Date of birth'],
  'f.address': ['住址', 'Address'],
  'f.issued_by': ['签发机关', 'Issuing authority'],
  'f.valid_from': ['有效期自', 'Valid from'],
  'f.valid_until': ['至', 'Valid until'],
  'sex.m': ['男', 'Male'],
  'sex.f': ['女', 'Female'],
  'local.title': ['本地校验', 'Local checks'],
  'local.empty': ['输入或识别号码后，这里显示校验结果。', 'Type or read a number to see the checks here.'],
  'local.valid': ['号码有效', 'Number is valid'],
  'local.invalid': ['号码无效', 'Number is not valid'],
  'local.expected': ['正确的校验码应为 {c}', 'The check digit should be {c}'],
  'local.birth': ['出生日期 {d}，{age} 岁', 'Born {d}, age {age}'],
  'local.sex': ['性别 {s}', 'Sex {s}'],
  'region.title': ['归属地', 'Region'],
  'region.empty': ['号码前 6 位给出发证地。', 'The first 6 digits give the issuing region.'],
  'region.embedded': ['内置区划表', 'Embedded table'],
  'region.abolished': ['已撤销', 'Abolished'],
  'region.in_force': ['在用', 'In force'],
  'region.years': ['{since}–{until}', '{since}–{until}'],
  'region.now': ['至今', 'now'],
  'region.unknown': ['区划表中没有 {code}', '{code} is not in the region table'],
  'region.history': ['沿革', 'History'],
  'region.online': ['在线查询（{provider}）', 'Online ({provider})'],
  'region.differs': ['与内置区划表不同', 'Differs from the embedded table'],
  'region.same': ['与内置区划表一致', 'Same as the embedded table'],
  'verify.title': ['二要素核验', 'Two-factor check'],
  'verify.consent': ['已取得本人授权', 'The holder has consented'],
  'verify.btn': ['核验', 'Check'],
  'verify.running': ['正在核验…', 'Checking…'],
  'verify.need_number': ['需要一个校验通过的号码。', 'Needs a number that passes the local checks.'],
  'verify.need_name': ['需要填写姓名。', 'Needs a name.'],
  'verify.need_provider': ['未配置核验服务：请在“设置”里填写密钥，或打开演示模式。', 'No checking service configured: add a key in Settings, or turn on demo mode.'],
  'verify.need_consent': ['请先取得本人授权并勾选。', 'Get the holder’s consent and tick the box first.'],
  'verify.ready': ['按 Enter 或“核验”开始；每次核验可能计费。', 'Press Enter or “Check”; each check may be billed.'],
  'verify.cancelled': ['已取消核验。', 'Check cancelled.'],
  'verdict.match': ['一致', 'Match'],
  'verdict.mismatch': ['不一致', 'Mismatch'],
  'verdict.no_record': ['库中无此号', 'No such number on record'],
  'meta.provider': ['服务商', 'Provider'],
  'meta.time': ['时间', 'Time'],
  'meta.request_id': ['请求编号', 'Request id'],
  'meta.cached': ['来自缓存（未重复计费）', 'From cache (not billed again)'],
  'meta.birthday': ['生日', 'Birthday'],
  'meta.sex': ['性别', 'Sex'],
  'meta.address': ['地址', 'Address'],
  'err.code': ['服务商代码 {code}', 'vendor code {code}'],
  'settings.title': ['设置', 'Settings'],
  'settings.providers': ['服务商', 'Providers'],
  'settings.ocr': ['证件识别', 'Card reading (OCR)'],
  'settings.two_factor': ['二要素核验', 'Two-factor check'],
  'settings.region': ['归属地', 'Region'],
  'settings.keys': ['密钥（保存在系统钥匙串）', 'Keys (kept in the system keychain)'],
  'settings.advanced': ['高级', 'Advanced'],
  'settings.base_url': ['服务地址（留空用默认）', 'Service address (empty: the default)'],
  'settings.idle': ['空闲自动清空（秒，0 = 关闭）', 'Clear when idle (seconds, 0 = never)'],
  'settings.demo': ['演示模式（使用内置模拟服务，无需密钥）', 'Demo mode (built-in fake services, no keys needed)'],
  'settings.saved': ['设置已保存。', 'Settings saved.'],
  'prov.local': ['本机识别', 'On this computer'],
  'prov.embedded': ['仅内置区划表', 'Embedded table only'],
  'prov.apizero': ['极数本源 apizero', 'apizero'],
  'prov.muzhiyun': ['拇指云', 'Muzhiyun (拇指云)'],
  'prov.nowapi': ['NowAPI', 'NowAPI'],
  'key.configured': ['已配置', 'Configured'],
  'key.configured_env': ['已配置（环境变量）', 'Configured (environment)'],
  'key.demo': ['演示（模拟服务）', 'Demo (fake service)'],
  'key.not_configured': ['未配置', 'Not configured'],
  'key.saved': ['密钥已保存到系统钥匙串。', 'Key saved to the system keychain.'],
  'key.deleted': ['密钥已删除。', 'Key deleted.'],
  'key.empty': ['请先输入密钥。', 'Enter a key first.'],
  'key.apizero.ph': ['API Key', 'API key'],
  'test.ok': ['连接正常（{ms} 毫秒）', 'Connection works ({ms} ms)'],
  'keychain.ok': ['系统钥匙串可用。', 'The system keychain is available.'],
  'idle.note': ['空闲 {m} 分钟后自动清空', 'Clears itself after {m} min idle'],
  'lang.other': ['English', '中文'],
};

export function t(lang, key, vars = {}) {
  const pair = STRINGS[key];
  let s = pair ? pair[lang === 'en' ? 1 : 0] : key;
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

/** Picks one language of a {zh, en} message from Rust. */
export function pick(lang, msg) {
  if (msg == null) return '';
  if (typeof msg === 'string') return msg;
  return (lang === 'en' ? msg.en : msg.zh) || msg.zh || msg.en || '';
}

/** Fills every [data-i18n] element, placeholder and title under `root`. */
export function applyStatic(lang, root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(lang, el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-ph]')) el.placeholder = t(lang, el.dataset.i18nPh);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(lang, el.dataset.i18nTitle);
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  document.title = lang === 'en' ? 'IDCheck 身份证核验台' : '身份证核验台 IDCheck';
}

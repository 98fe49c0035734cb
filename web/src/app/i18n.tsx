import { createContext, useContext } from 'react';

/** zh-CN first, English second (GUIDE): every text is written in both; the person picks (remembered in this browser). */
export type Lang = 'zh' | 'en';
export const LANG_KEY = 'wardline.lang';

export function initialLang(): Lang {
  try {
    return window.localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

export const LangContext = createContext<{ lang: Lang; setLang(l: Lang): void }>({ lang: 'zh', setLang: () => undefined });

/** `t('调度台', 'Dispatch board')`: the text in the chosen language. */
export function useT(): (zh: string, en: string) => string {
  const { lang } = useContext(LangContext);
  return (zh, en) => (lang === 'en' ? en : zh);
}

export function useLang(): Lang {
  return useContext(LangContext).lang;
}

/** The API's error body in the chosen language (it always carries both). */
export function errorText(lang: Lang, err: unknown): string {
  const body = (err as { body?: { messageZh?: string; messageEn?: string; message?: string } }).body;
  if (body && (body.messageZh || body.messageEn)) return (lang === 'en' ? body.messageEn : body.messageZh) ?? body.messageZh ?? body.messageEn ?? '';
  return err instanceof Error ? err.message : String(err);
}

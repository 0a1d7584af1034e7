import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick, ref, type Ref } from 'vue'
import { getInstanceByDom } from 'echarts/core'
import EChart from '@/components/EChart.vue'
import { statsBarOption, statsTrendOption } from '@/utils/stats'
import { radarOption } from '@/utils/assess'

// happy-dom draws nothing: getContext('2d') answers null. A stand-in 2D
// context whose every method does nothing lets ECharts run its real code.
function fakeContext(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const noop = () => {}
  const gradient = { addColorStop: noop }
  const props: Record<string | symbol, unknown> = {
    canvas,
    measureText: (s: string) => ({ width: String(s).length * 7, actualBoundingBoxAscent: 8, actualBoundingBoxDescent: 2 }),
    createLinearGradient: () => gradient,
    createRadialGradient: () => gradient,
    createPattern: () => ({}),
    getImageData: () => ({ data: new Uint8ClampedArray(4) }),
    getLineDash: () => [],
    isPointInPath: () => false,
  }
  return new Proxy(props, {
    get: (t, k) => (k in t ? t[k] : noop),
    set: (t, k, v) => {
      t[k] = v
      return true
    },
  }) as unknown as CanvasRenderingContext2D
}

const labels = { axis: '完成率 %', completion: '完成率', noTarget: '未设定目标', actual: '完成', target: '目标' }
const bar = statsBarOption(
  {
    metrics: [{ key: 'new_accounts', nameZh: '新开户数', nameEn: 'New accounts', unit: 'count' }],
    rows: [
      { subjectType: 'unit', id: 9, name: '第一团队', path: '', empNo: '', values: { new_accounts: { actual: '6', target: '12', completion: '50.00', rank: 2, completionRank: 2 } } },
      { subjectType: 'unit', id: 10, name: '第二团队', path: '', empNo: '', values: { new_accounts: { actual: '9', target: '9', completion: '100.00', rank: 1, completionRank: 1 } } },
    ],
  },
  'new_accounts',
  'completion',
  labels,
)
const line = statsTrendOption(
  {
    metric: { key: 'new_accounts', nameZh: '新开户数', nameEn: 'New accounts', unit: 'count' },
    months: ['2026-10', '2026-11'],
    series: [{ id: 9, name: '第一团队', actual: ['1', '6'], completion: ['10.00', '50.00'] }],
  },
  'completion',
  labels,
)

function mount(option: Ref<Record<string, unknown>>) {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const app = createApp({ render: () => h(EChart, { option: option.value, height: '300px', 'data-testid': 'chart' }) })
  app.mount(host)
  const el = host.querySelector('[data-testid="chart"]') as HTMLDivElement
  return {
    el,
    unmount: () => {
      app.unmount()
      host.remove()
    },
  }
}

const chartSize = (el: HTMLElement) => {
  const c = getInstanceByDom(el)
  return c ? [c.getWidth(), c.getHeight()] : null
}

describe('EChart', () => {
  afterEach(() => vi.restoreAllMocks())

  it('stays empty where nothing can be drawn, without failing', async () => {
    const option = ref(bar as Record<string, unknown>)
    const { el, unmount } = mount(option)
    await nextTick()
    expect(el).not.toBeNull()
    expect(el.getAttribute('data-ready')).toBe('false')
    expect(el.style.height).toBe('300px')
    option.value = line as Record<string, unknown>
    await nextTick()
    unmount()
  })

  it('draws a chart, redraws it when the option changes, and disposes of it on unmount', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (this: HTMLCanvasElement) {
      return fakeContext(this)
    } as unknown as HTMLCanvasElement['getContext'])
    // no layout either: give the element a size
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(600)
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(300)
    const option = ref(bar as Record<string, unknown>)
    const { el, unmount } = mount(option)
    await nextTick()
    expect(el.getAttribute('data-ready')).toBe('true')
    expect(chartSize(el)).toEqual([600, 300])
    expect(el.querySelector('canvas')).not.toBeNull()
    const chart = getInstanceByDom(el)!
    expect(chart).toBeTruthy()
    expect((chart.getOption() as { series: { type: string }[] }).series.map((s) => s.type)).toEqual(['bar'])

    option.value = line as Record<string, unknown>
    await nextTick()
    // not merged: the bar series is gone
    expect((chart.getOption() as { series: { type: string; name: string }[] }).series.map((s) => s.type)).toEqual(['line'])

    unmount()
    expect(chart.isDisposed()).toBe(true)
    expect(getInstanceByDom(el)).toBeUndefined()
  })

  it("draws the assessment result's radar (the radar chart is registered)", async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (this: HTMLCanvasElement) {
      return fakeContext(this)
    } as unknown as HTMLCanvasElement['getContext'])
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(600)
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(300)
    const radar = radarOption(
      [
        { key: 'a', nameZh: '履职', nameEn: 'Duties', max: 20, computed: false, byGroup: {}, score: 17.1 },
        { key: 'b', nameZh: '任务', nameEn: 'Tasks', max: 10, computed: true, byGroup: {}, score: 1.6 },
        { key: 'c', nameZh: '纪律', nameEn: 'Discipline', max: 20, computed: false, byGroup: {}, score: 18.6 },
      ],
      (i) => i.nameZh,
      { series: '得分率', point: () => '' },
    )
    const { el, unmount } = mount(ref(radar as Record<string, unknown>))
    await nextTick()
    expect(el.getAttribute('data-ready')).toBe('true')
    const chart = getInstanceByDom(el)!
    expect((chart.getOption() as { series: { type: string }[] }).series.map((s) => s.type)).toEqual(['radar'])
    unmount()
  })
})

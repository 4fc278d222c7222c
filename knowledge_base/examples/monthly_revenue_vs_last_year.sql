-- Question: How does each month's revenue compare with the same month a year earlier?
-- Description: Monthly revenue next to the revenue of the same month in the previous year.
WITH monthly AS (
    SELECT strftime('%Y-%m', o.order_date) AS month,
           SUM(oi.quantity * oi.unit_price * (1 - oi.discount)) AS revenue
    FROM orders AS o
    JOIN order_items AS oi ON oi.order_id = o.order_id
    WHERE o.status NOT IN ('cancelled', 'returned')
    GROUP BY month
)
SELECT cur.month,
       ROUND(cur.revenue, 2) AS revenue,
       ROUND(prev.revenue, 2) AS revenue_last_year,
       ROUND(100.0 * (cur.revenue - prev.revenue) / prev.revenue, 2) AS growth_pct
FROM monthly AS cur
LEFT JOIN monthly AS prev ON prev.month = strftime('%Y-%m', date(cur.month || '-01', '-1 year'))
ORDER BY cur.month;
